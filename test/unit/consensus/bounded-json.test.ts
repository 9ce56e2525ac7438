import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonDepthError, jsonDepth, parseBoundedJson } from '../../../src/consensus/bounded-json.ts';

test('depth counts brackets outside strings only, escaped quotes included', () => {
  assert.equal(jsonDepth('1').depth, 0);
  assert.equal(jsonDepth('[{"a":[1]}]').depth, 3);
  assert.equal(jsonDepth('["[[[[", "\\"[[["]').depth, 1);
  assert.equal(jsonDepth('{"a\\\\":[[]]}').depth, 3);
});

test('text nested past the limit is refused before parsing, naming the limit', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  assert.throws(
    () => parseBoundedJson(deep, 64),
    (err: unknown) => {
      assert.ok(err instanceof JsonDepthError);
      assert.equal(err.limit, 64);
      assert.equal(err.field, 'depth');
      return true;
    },
  );
  assert.deepEqual(parseBoundedJson('[[1]]', 2), [[1]]);
  assert.throws(() => parseBoundedJson('[[[1]]]', 2), JsonDepthError);
  assert.throws(() => parseBoundedJson('{bad', 2), SyntaxError);
});
