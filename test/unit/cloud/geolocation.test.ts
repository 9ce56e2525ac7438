import assert from 'node:assert/strict';
import { test } from 'node:test';
import { geoAllows, parseGeolocation, parseNodeLocation } from '../../../src/cloud/spec/geolocation.ts';

test('a node location is a continent, then optionally a country and a region, in FluxOS’s order', () => {
  assert.deepEqual(parseNodeLocation('EU'), {
    ok: true,
    location: { continent: 'EU', country: undefined, region: undefined },
  });
  assert.deepEqual(parseNodeLocation('EU_DE_Hesse'), {
    ok: true,
    location: { continent: 'EU', country: 'DE', region: 'Hesse' },
  });
  for (const bad of [
    '',
    'eu',
    'EU_',
    'EU__Hesse',
    'XX',
    'EU_QQ',
    'EU_DE_Lower Saxony',
    'EU_DE_A_B',
    'acEU',
  ]) {
    assert.equal(parseNodeLocation(bad).ok, false, bad);
  }
});

test('rules may name a region under a country, as FluxOS’s full location does', () => {
  const r = parseGeolocation('a!cNA_US_Texas');
  assert.deepEqual(r, { ok: true, rule: { allow: false, continent: 'NA', country: 'US', region: 'Texas' } });
  assert.equal(parseGeolocation('acEU_Hesse').ok, false, 'a region needs its country');
});

test('a rule matches a node when every part it names equals the node’s', () => {
  assert.equal(geoAllows(['acEU'], 'EU_DE_Hesse'), true);
  assert.equal(geoAllows(['acEU_DE'], 'EU_DE_Hesse'), true);
  assert.equal(geoAllows(['acEU_DE_Hesse'], 'EU_DE_Hesse'), true);
  assert.equal(geoAllows(['acEU_DE_Bavaria'], 'EU_DE_Hesse'), false);
  // A node that named only its continent is not shown to be in the country a rule asks for.
  assert.equal(geoAllows(['acEU_DE'], 'EU'), false);
  assert.equal(geoAllows(['acEU', 'a!cEU_DE_Hesse'], 'EU_DE_Hesse'), false);
  assert.equal(geoAllows(['acEU', 'a!cEU_DE_Hesse'], 'EU_DE_Bavaria'), true);
  assert.equal(geoAllows(['a!cNA'], 'EU_FR'), true);
  // Nothing declared: no rule can show the node to be outside.
  assert.equal(geoAllows(['acAS'], undefined), true);
});
