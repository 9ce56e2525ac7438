/** Picks the importer for a parsed document: FluxOS spec or compose file, told apart by their shape. */
import { importCompose, isComposeFile } from './compose.ts';
import { importFluxosSpec, isFluxosSpec } from './fluxos.ts';
import { type ImportResult, SpecImportError } from './notes.ts';
import type { ImportOptions } from './options.ts';

export type ImportSource = 'fluxos' | 'compose';

export function detectImportSource(doc: unknown): ImportSource | undefined {
  if (isComposeFile(doc)) return 'compose';
  if (isFluxosSpec(doc)) return 'fluxos';
  return undefined;
}

export function importSpec(doc: unknown, opts: ImportOptions, from?: ImportSource): ImportResult {
  const source = from ?? detectImportSource(doc);
  if (source === 'compose') return importCompose(doc, opts);
  if (source === 'fluxos') return importFluxosSpec(doc, opts);
  throw new SpecImportError(
    '',
    undefined,
    'neither a FluxOS app spec (version and compose or repotag) nor a compose file (services)',
  );
}
