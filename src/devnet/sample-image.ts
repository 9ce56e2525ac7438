// The devnet's sample app, built without pulling anything: an empty (`FROM scratch`) image holding
// only the host's static busybox and a short script. The script writes a page naming the node, app
// and component it runs for (from the FLUX_* variables the runtime sets) and serves it with
// `busybox httpd` on $PORT (80 by default). With $UPSTREAM set it also mirrors that URL into
// /upstream.html, which is how the multi-component example shows its components talk. With $COUNTER
// set it counts seconds into that file of its data folder (the replicated-data tests).

import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { drainProgress, engineError, RuntimeError } from '../cloud/index.ts';
import { findTool, HostToolMissingError } from './dockerd.ts';

export const SAMPLE_IMAGE_NAME = 'flux/hello';
export const SAMPLE_IMAGE_TAG = '1';

/** `<registry>/flux/hello:1`, e.g. `127.0.0.1:5000/flux/hello:1`. */
export function sampleImageRef(registryAddress: string): string {
  return `${registryAddress}/${SAMPLE_IMAGE_NAME}:${SAMPLE_IMAGE_TAG}`;
}

const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
COPY hello.sh /bin/hello.sh
ENV PATH=/bin
EXPOSE 80
ENTRYPOINT ["/bin/busybox", "sh", "/bin/hello.sh"]
`;

// Every command goes through busybox explicitly: the image has no applet links.
const SCRIPT = `# flux hello: a page naming where it runs
who="node \${FLUX_NODE:-unknown}, app \${FLUX_APP:-unknown}, component \${FLUX_COMPONENT:-unknown}"
# The root filesystem is read-only: /www is writable only when it is the app's data mount.
www=/www
busybox mkdir -p $www 2>/dev/null && busybox touch $www/.writable 2>/dev/null || www=/tmp/www
busybox mkdir -p $www
echo "<!doctype html><title>flux hello</title><h1>hello from \${FLUX_NODE:-unknown}</h1><p>\${who}</p>" > $www/index.html
echo "hello: serving \${who} on port \${PORT:-80}"
# With UPSTREAM set (a URL, e.g. another component of the app by its container name), the page
# /upstream.html mirrors what that URL answers, refreshed every second: proof that they talk.
if [ -n "\${UPSTREAM:-}" ]; then
  ( while true; do
      if busybox timeout 5 busybox wget -q -O $www/upstream.tmp "$UPSTREAM"; then
        busybox mv $www/upstream.tmp $www/upstream.html
      else
        echo "hello: upstream $UPSTREAM did not answer"
      fi
      busybox sleep 1
    done ) &
fi
# With COUNTER set (a file name), a number in $www/$COUNTER goes up by one every second, carrying on
# from the value found there: how the replicated-data tests see how much a moved instance kept.
# Each start appends "<node> <value it started from>" to $www/starts.
if [ -n "\${COUNTER:-}" ]; then
  ( n=$(busybox cat $www/$COUNTER 2>/dev/null); n=\${n%% *}
    case "$n" in ''|*[!0-9]*) n=0 ;; esac
    echo "\${FLUX_NODE:-unknown} $n" >> $www/starts
    echo "hello: counter starts at $n"
    while true; do
      n=$((n + 1))
      echo "$n \${FLUX_NODE:-unknown}" > $www/.$COUNTER.tmp && busybox mv $www/.$COUNTER.tmp $www/$COUNTER
      busybox sleep 1
    done ) &
fi
exec busybox httpd -f -v -p "\${PORT:-80}" -h $www
`;

export interface SampleImage {
  ref: string;
  /** Local image id (`sha256:…`). */
  imageId: string;
  /** Manifest digest the registry stored (`sha256:…`); '' when only built. */
  digest: string;
}

/** Builds the sample image on the engine at `socketPath` and tags it `ref`. */
export async function buildSampleImage(
  socketPath: string,
  ref: string,
  busyboxPath?: string,
): Promise<SampleImage> {
  const busybox = busyboxPath ?? findTool('busybox');
  if (!busybox) throw new HostToolMissingError('busybox');
  await assertStatic(busybox);

  const docker = new Docker({ socketPath });
  const context = await mkdtemp(path.join(tmpdir(), 'flux-hello-'));
  try {
    await writeFile(path.join(context, 'Dockerfile'), DOCKERFILE);
    await writeFile(path.join(context, 'hello.sh'), SCRIPT);
    await copyFile(busybox, path.join(context, 'busybox'));
    await chmod(path.join(context, 'busybox'), 0o755);
    const stream = await docker
      .buildImage(
        { context, src: ['Dockerfile', 'busybox', 'hello.sh'] },
        { t: ref, rm: true, forcerm: true },
      )
      .catch((err) => {
        throw engineError('build', ref, err);
      });
    await drainProgress(stream as AsyncIterable<Uint8Array>, 'build', ref);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  const info = await docker
    .getImage(ref)
    .inspect()
    .catch((err) => {
      throw engineError('build', ref, err);
    });
  return { ref, imageId: info.Id, digest: '' };
}

/** Pushes `ref` from the engine at `socketPath` to the registry its name starts with. */
export async function pushImage(socketPath: string, ref: string): Promise<string> {
  const docker = new Docker({ socketPath });
  // dockerd 20.10 refuses a push without an X-Registry-Auth header; our registry needs no login,
  // so an empty credential is sent.
  const stream = await docker
    .getImage(ref)
    .push({ authconfig: {} })
    .catch((err) => {
      throw engineError('push', ref, err);
    });
  const messages = await drainProgress(stream as AsyncIterable<Uint8Array>, 'push', ref);
  const digest = messages.map((m) => m.aux?.Digest).find((d) => typeof d === 'string');
  if (typeof digest !== 'string')
    throw new RuntimeError('push', ref, 'the engine reported no manifest digest');
  return digest;
}

/** Builds the sample image and pushes it to the registry at `registryAddress` (`host:port`). */
export async function publishSampleImage(socketPath: string, registryAddress: string): Promise<SampleImage> {
  const ref = sampleImageRef(registryAddress);
  const built = await buildSampleImage(socketPath, ref);
  return { ...built, digest: await pushImage(socketPath, ref) };
}

/**
 * A dynamically linked busybox would not run in an empty image (no loader, no libc), so refuse it
 * early: an ELF file is static when none of its program headers is PT_INTERP.
 */
async function assertStatic(file: string): Promise<void> {
  const elf = await readFile(file);
  const problem = (why: string) =>
    new RuntimeError('build', file, `${why}; the sample image needs busybox-static (scripts/setup-host.sh)`);
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) throw problem('not an ELF executable');
  if (elf[5] !== 1) throw problem('not a little-endian ELF file');
  const is64 = elf[4] === 2;
  const phoff = is64 ? Number(elf.readBigUInt64LE(0x20)) : elf.readUInt32LE(0x1c);
  const phentsize = elf.readUInt16LE(is64 ? 0x36 : 0x2a);
  const phnum = elf.readUInt16LE(is64 ? 0x38 : 0x2c);
  const PT_INTERP = 3;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > elf.length) throw problem('truncated program headers');
    if (elf.readUInt32LE(at) === PT_INTERP) throw problem('dynamically linked');
  }
}
