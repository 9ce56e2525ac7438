/**
 * Locations, in FluxOS's notation. A node says where it is as `<continent>[_<country>[_<region>]]`
 * (`EU`, `EU_DE`, `EU_DE_Hesse`). An app's rules are `ac<place>` to allow nodes at a place and
 * `a!c<place>` to forbid them, where a place is any prefix of a node's location: `acEU` allows every
 * European node, `a!cEU_FR` forbids the French ones. Continents are the seven two-letter codes
 * geolocation services use; countries are ISO 3166-1 alpha-2 codes; a region is a name without
 * spaces (FluxOS takes the region name of an IP lookup; here the operator writes it).
 */

export const CONTINENT_CODES: ReadonlySet<string> = new Set(['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA']);

export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW ' +
    'BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI ' +
    'FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN ' +
    'IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
    'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF ' +
    'PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
    'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE ' +
    'YT ZA ZM ZW'
  ).split(' '),
);

/** Letters, digits and dashes: a region name as it can appear in a rule and in a node's location. */
const REGION = '[A-Za-z0-9][A-Za-z0-9-]{0,31}';

export interface GeoRule {
  allow: boolean;
  continent: string;
  country: string | undefined;
  region: string | undefined;
}

/** Where a node is: a continent, and optionally a country and then a region in it. */
export interface NodeLocation {
  continent: string;
  country: string | undefined;
  region: string | undefined;
}

export type NodeLocationResult = { ok: true; location: NodeLocation } | { ok: false; message: string };

export type GeoParseResult = { ok: true; rule: GeoRule } | { ok: false; rule: string; message: string };

/** Reads one location rule; the failure names the rule broken. */
export function parseGeolocation(text: string): GeoParseResult {
  const m = new RegExp(`^(ac|a!c)([A-Z]{2})(?:_([A-Z]{2})(?:_(${REGION}))?)?$`).exec(text);
  if (!m) {
    return {
      ok: false,
      rule: 'geolocation-format',
      message:
        'location must be "ac<CONTINENT>[_<COUNTRY>[_<REGION>]]" to allow or "a!c<CONTINENT>[_<COUNTRY>[_<REGION>]]" to forbid, e.g. "acEU_DE"',
    };
  }
  const [, kind, continent = '', country, region] = m;
  if (!CONTINENT_CODES.has(continent)) {
    return {
      ok: false,
      rule: 'geolocation-continent',
      message: `unknown continent "${continent}" (one of ${[...CONTINENT_CODES].join(', ')})`,
    };
  }
  if (country !== undefined && !COUNTRY_CODES.has(country)) {
    return {
      ok: false,
      rule: 'geolocation-country',
      message: `unknown ISO 3166-1 country code "${country}"`,
    };
  }
  return { ok: true, rule: { allow: kind === 'ac', continent, country, region } };
}

/** Reads a node's declared location (`EU`, `EU_DE`, `EU_DE_Hesse`); the failure says what is wrong. */
export function parseNodeLocation(text: string): NodeLocationResult {
  const m = new RegExp(`^([A-Z]{2})(?:_([A-Z]{2})(?:_(${REGION}))?)?$`).exec(text);
  if (!m) {
    return {
      ok: false,
      message: 'a location is "<CONTINENT>[_<COUNTRY>[_<REGION>]]", e.g. "EU", "EU_DE" or "EU_DE_Hesse"',
    };
  }
  const [, continent = '', country, region] = m;
  if (!CONTINENT_CODES.has(continent)) {
    return {
      ok: false,
      message: `unknown continent "${continent}" (one of ${[...CONTINENT_CODES].join(', ')})`,
    };
  }
  if (country !== undefined && !COUNTRY_CODES.has(country)) {
    return { ok: false, message: `unknown ISO 3166-1 country code "${country}"` };
  }
  return { ok: true, location: { continent, country, region } };
}

/** The place a rule names, as text (`EU`, `EU_DE`, `EU_DE_Hesse`): rules naming one place conflict. */
export function rulePlace(rule: GeoRule): string {
  return [rule.continent, rule.country, rule.region].filter((p) => p !== undefined).join('_');
}

/**
 * Whether a node at `location` ("EU", "EU_FR" or "EU_FR_Normandy") may host an app with these
 * rules: no forbidding rule matches it, and when the app has allowing rules, one of them does. A
 * rule matches when every part it names equals the node's (a rule naming a country does not match
 * a node that named only its continent). A node that declared no location is not held back (it
 * cannot be shown to be excluded).
 */
export function geoAllows(rules: readonly string[], location: string | undefined): boolean {
  if (rules.length === 0 || !location) return true;
  const [continent, country, region] = location.split('_');
  const matches = (r: GeoRule) =>
    r.continent === continent &&
    (r.country === undefined || r.country === country) &&
    (r.region === undefined || r.region === region);
  let anyAllow = false;
  let allowed = false;
  for (const text of rules) {
    const parsed = parseGeolocation(text);
    if (!parsed.ok) continue;
    if (!parsed.rule.allow) {
      if (matches(parsed.rule)) return false;
      continue;
    }
    anyAllow = true;
    if (matches(parsed.rule)) allowed = true;
  }
  return !anyAllow || allowed;
}
