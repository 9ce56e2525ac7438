// Labels mark the containers the cloud agent manages; anything without them is left alone.

export const LABEL_APP = 'flux.app';
export const LABEL_COMPONENT = 'flux.component';
export const LABEL_SPEC_HASH = 'flux.spechash';
export const LABEL_NODE = 'flux.node';
export const LABEL_HDD = 'flux.hdd';
/** "true" when the data folder is a volume of `hdd` GB, "false" when it is a plain folder (see data-volume.ts). */
export const LABEL_HDD_ENFORCED = 'flux.hdd.enforced';

/** Flux's container naming: `flux<component>_<app>`. */
export function containerName(app: string, component: string): string {
  return `flux${component}_${app}`;
}

/**
 * The app's own Docker network, `fluxnet_<app>`: its components find each other there by container
 * name, and containers of other apps are not on it (the engine resolves names per network).
 */
export function appNetworkName(app: string): string {
  return `fluxnet_${app}`;
}
