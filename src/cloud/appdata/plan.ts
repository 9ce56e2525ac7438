/**
 * Desired Syncthing configuration − actual → the REST calls to make, as a pure function. Folders
 * go before devices are removed (a device still named by a folder cannot go), and removed folders
 * go first of all so that a component leaving this node stops sharing before its data is deleted.
 * Planning a configuration against itself gives no actions.
 */
import { FOLDER_PREFIX } from './folders.ts';
import type { StConfig, StDevice, StFolder } from './syncthing-api.ts';

export type SyncAction =
  | { kind: 'remove-folder'; id: string }
  | { kind: 'put-device'; device: StDevice }
  | { kind: 'put-folder'; folder: StFolder }
  | { kind: 'remove-device'; id: string };

export function planSync(desired: StConfig, actual: StConfig, selfDevice: string): SyncAction[] {
  const want = new Map(desired.folders.map((f) => [f.id, f]));
  const have = new Map(actual.folders.map((f) => [f.id, f]));
  const removeFolders: SyncAction[] = actual.folders
    .filter((f) => f.id.startsWith(FOLDER_PREFIX) && !want.has(f.id))
    .map((f) => ({ kind: 'remove-folder', id: f.id }));
  const wantDevices = new Map(desired.devices.map((d) => [d.deviceID, d]));
  const haveDevices = new Map(actual.devices.map((d) => [d.deviceID, d]));
  const putDevices: SyncAction[] = desired.devices
    .filter((d) => !sameDevice(d, haveDevices.get(d.deviceID)))
    .map((d) => ({ kind: 'put-device', device: { ...haveDevices.get(d.deviceID), ...d } }));
  const putFolders: SyncAction[] = desired.folders
    .filter((f) => !sameFolder(f, have.get(f.id)))
    .map((f) => ({ kind: 'put-folder', folder: { ...have.get(f.id), ...f } }));
  const removeDevices: SyncAction[] = actual.devices
    .filter((d) => d.deviceID !== selfDevice && !wantDevices.has(d.deviceID))
    .map((d) => ({ kind: 'remove-device', id: d.deviceID }));
  return [...removeFolders, ...putDevices, ...putFolders, ...removeDevices];
}

function sameDevice(want: StDevice, have: StDevice | undefined): boolean {
  return have !== undefined && have.name === want.name && same(have.addresses, want.addresses);
}

function sameFolder(want: StFolder, have: StFolder | undefined): boolean {
  if (!have) return false;
  const fields = [
    'label',
    'path',
    'type',
    'fsWatcherEnabled',
    'fsWatcherDelayS',
    'rescanIntervalS',
    'copyOwnershipFromParent',
  ] as const;
  if (fields.some((k) => want[k] !== have[k])) return false;
  return same(
    want.devices.map((d) => d.deviceID),
    have.devices.map((d) => d.deviceID),
  );
}

function same(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
