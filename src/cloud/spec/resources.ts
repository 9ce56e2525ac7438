import type { Resources } from './limits.ts';
import type { AppSpec } from './schema.ts';

/** What one instance of the app needs on its node: the sum over its components (cpu kept on 0.1 steps). */
export function appDemand(spec: AppSpec): Resources {
  let cpuTenths = 0;
  let ram = 0;
  let hdd = 0;
  for (const c of spec.components) {
    cpuTenths += Math.round(c.cpu * 10);
    ram += c.ram;
    hdd += c.hdd;
  }
  return { cpu: cpuTenths / 10, ram, hdd };
}

/** Every public port the app opens, in component order. */
export function appPorts(spec: AppSpec): number[] {
  return spec.components.flatMap((c) => c.ports);
}
