/** The secret environment one node adds to a component it starts: its own box, opened with its operator key. */
import type { AppComponent } from '../spec/schema.ts';
import { openSecrets, SealedBoxError } from './sealed-box.ts';

/** Opens this node's box of `component`; [] when the component has no secrets. Throws SealedBoxError. */
export function componentSecretEnv(
  app: string,
  component: AppComponent,
  nodeId: string,
  operatorPrivateKey: Uint8Array,
): string[] {
  if (component.secrets === undefined) return [];
  const mine = component.secrets.find((s) => s.node === nodeId);
  if (mine === undefined)
    throw new SealedBoxError('node', nodeId, `${app}/${component.name} has no secrets sealed for this node`);
  return openSecrets(mine.box, operatorPrivateKey, { app, component: component.name, node: nodeId });
}

/** componentSecretEnv for one node, as the reconcile pass asks for it. */
export function secretEnvOf(node: {
  nodeId: string;
  operatorPrivateKey: Uint8Array;
}): (app: string, component: AppComponent) => string[] {
  return (app, component) => componentSecretEnv(app, component, node.nodeId, node.operatorPrivateKey);
}
