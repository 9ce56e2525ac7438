import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseImageReference } from '../../../src/cloud/spec/image-ref.ts';

// Cases from Docker's distribution/reference tests (reference_test.go, TestReferenceParse).
// Registry detection follows Docker's normalised rule (first part has "." or ":" or is
// "localhost"), which is what `docker pull` applies.
const F = 'f'.repeat(64);

const VALID: [
  input: string,
  host: string | undefined,
  port: number | undefined,
  path: string,
  tag?: string,
  digest?: string,
][] = [
  ['test.com:tag', undefined, undefined, 'test.com', 'tag'],
  ['test.com:5000', undefined, undefined, 'test.com', '5000'],
  ['test.com/repo:tag', 'test.com', undefined, 'repo', 'tag'],
  ['test:5000/repo:tag', 'test', 5000, 'repo', 'tag'],
  [`test:5000/repo@sha256:${F}`, 'test', 5000, 'repo', undefined, `sha256:${F}`],
  [`test:5000/repo:tag@sha256:${F}`, 'test', 5000, 'repo', 'tag', `sha256:${F}`],
  ['lowercase:Uppercase', undefined, undefined, 'lowercase', 'Uppercase'],
  [
    `${'a/'.repeat(127)}a:tag-puts-this-over-max`,
    undefined,
    undefined,
    `${'a/'.repeat(127)}a`,
    'tag-puts-this-over-max',
  ],
  [
    'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    'sub-dom1.foo.com',
    undefined,
    'bar/baz/quux',
    'some-long-tag',
  ],
  [
    'b.gcr.io/test.example.com/my-app:test.example.com',
    'b.gcr.io',
    undefined,
    'test.example.com/my-app',
    'test.example.com',
  ],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', undefined, 'myimage', 'xn--n3h.com'],
  [
    `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`,
    'xn--7o8h.com',
    undefined,
    'myimage',
    'xn--7o8h.com',
    `sha512:${'f'.repeat(128)}`,
  ],
  ['foo_bar.com:8080', undefined, undefined, 'foo_bar.com', '8080'],
  // Docker's raw grammar would call "foo" a domain here; the normalised rule (no "." or ":") does not.
  ['foo/foo_bar.com:8080', undefined, undefined, 'foo/foo_bar.com', '8080'],
  ['192.168.1.1:tag', undefined, undefined, '192.168.1.1', 'tag'],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1', 5000, 'repo', '5050'],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]', undefined, 'repo', 'tag'],
  ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]', 5000, 'repo', 'tag'],
  [`[2001:db8::1]:5000/repo@sha256:${F}`, '[2001:db8::1]', 5000, 'repo', undefined, `sha256:${F}`],
  ['localhost/repo:1', 'localhost', undefined, 'repo', '1'],
];

// Invalid in Docker's grammar.
const INVALID = [
  '',
  ':justtag',
  `@sha256:${F}`,
  `repo@sha256:${'f'.repeat(34)}`,
  `validname@invaliddigest:${F}`,
  'Uppercase:tag',
  'test:5000/Uppercase/lowercase:tag',
  `${'a/'.repeat(128)}a:tag`,
  'aa/asdf$$^/aa:tag',
  '[2001:db8::1]',
  '[2001:db8::1]:5000',
  '[2001:db8::1]:tag',
  '[fe80::1%eth0]:5000/repo:tag',
  '[fe80::1%@invalidzone]:5000/repo:tag',
];

// Valid names that fluxnode still refuses because they pin no build.
const UNPINNED = [
  'test_com',
  'test:5000/repo',
  'sub-dom1.foo.com/bar/baz/quux',
  '192.168.1.1',
  '[::1]:5000/repo',
];

test('Docker reference test vectors that parse', () => {
  for (const [input, host, port, path, tag, digest] of VALID) {
    const r = parseImageReference(input);
    assert.ok(r.ok, `${input}: ${r.ok ? '' : r.message}`);
    assert.deepEqual(r.ref, { host, port, path, tag, digest }, input);
  }
});

test('Docker reference test vectors that are refused', () => {
  for (const input of INVALID) {
    const r = parseImageReference(input);
    assert.equal(r.ok, false, input);
  }
});

test('references without tag or digest are refused as image-tag-missing', () => {
  for (const input of UNPINNED) {
    const r = parseImageReference(input);
    assert.ok(!r.ok && r.rule === 'image-tag-missing', input);
  }
});
