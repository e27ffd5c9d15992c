import { countryCodeOf, isCountryCode } from '../../../src/model/country';

describe('countryCodeOf', () => {
  it.each([
    ['Germany', 'DE'],
    ['Deutschland', 'DE'],
    ['  united states ', 'US'],
    ['USA', 'US'],
    ['UK', 'GB'],
    ['Côte d’Ivoire', 'CI'],
    ['Cote d Ivoire', 'CI'],
    ['Espagne', 'ES'],
    ['fr', 'FR'],
    ['Hong Kong', 'HK'],
  ])('%s is %s', (name, code) => {
    expect(countryCodeOf(name)).toBe(code);
  });

  it('gives no code for a name it does not know, nor for regions that are not countries', () => {
    for (const name of ['Narnia', 'European Union', 'EU', 'ZZ', 'Unknown Region', '']) {
      expect(countryCodeOf(name)).toBeUndefined();
    }
  });

  it('knows the 249 assigned ISO 3166-1 codes and none of the withdrawn ones', () => {
    let n = 0;
    for (let a = 65; a <= 90; a++)
      for (let b = 65; b <= 90; b++) if (isCountryCode(String.fromCharCode(a, b))) n++;
    expect(n).toBe(249);
    for (const code of ['UK', 'YU', 'SU', 'ZR', 'AN', 'XK']) expect(isCountryCode(code)).toBe(false);
  });
});
