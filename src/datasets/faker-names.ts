/**
 * Faker's `Faker(['en_US', 'en_IE']).unique.name()` (Faker 20.1.0), call for call on a PyRandom
 * (issue 25): GoodAI's Spy Meeting draws its three people so, after `Faker.seed(seed)`. The
 * data is Faker's (`data/faker_names.json`, MIT). Each name: the proxy picks a locale with
 * `random.choice`; the locale picks a format (`random.choices` over an OrderedDict's weights,
 * `random.choice` over a tuple); each `{{token}}` of it, left to right, draws from its list the
 * same way. `.unique` draws again, from the same locale, while the name was already given.
 */
import { readFileSync } from 'node:fs';
import type { PyRandom } from './py-random.js';
import { packagePath } from '../package-path.js';

interface Elements {
  keys: string[];
  weights?: number[];
}
type Locale = Record<string, Elements>;

let cached: Locale[] | undefined;
function locales(): Locale[] {
  cached ??= Object.values((JSON.parse(readFileSync(packagePath('data/faker_names.json'), 'utf8')) as { locales: Record<string, Locale> }).locales);
  return cached;
}

/** Faker's `random_element`: weighted with `random.choices`, else `random.choice`. */
function element(rng: PyRandom, e: Elements): string {
  return e.weights ? rng.choices(e.keys, { weights: e.weights, k: 1 })[0]! : (rng.choice(e.keys) as string);
}

/** A token's list: Faker's `first_name_female` draws from `first_names_female`, `prefix_male` from `prefixes_male`, ... */
const TOKEN_LIST: Record<string, string> = {
  first_name_female: 'first_names_female',
  first_name_male: 'first_names_male',
  last_name: 'last_names',
  prefix_female: 'prefixes_female',
  prefix_male: 'prefixes_male',
  suffix_female: 'suffixes_female',
  suffix_male: 'suffixes_male',
};

function nameIn(rng: PyRandom, locale: Locale): string {
  return element(rng, locale['formats']!).replace(/\{\{\s*(\w+)(:\s*\w+?)?\s*\}\}/g, (_, token: string) => {
    const list = locale[TOKEN_LIST[token] ?? ''];
    if (!list) throw new Error(`faker-names: no list for {{${token}}}`);
    return element(rng, list);
  });
}

/** `faker.unique` for `name()` and `first_name()` (each keeps its own names given): `clear()` forgets them. */
export class UniqueFakerNames {
  private seen = new Map<string, Set<string>>();
  constructor(private readonly rng: PyRandom) {}

  clear(): void {
    this.seen = new Map();
  }

  name(): string {
    return this.unique('name', (locale) => nameIn(this.rng, locale));
  }

  /** Faker's `first_name()`: `random_element(first_names)` of the locale. */
  firstName(): string {
    return this.unique('first_name', (locale) => element(this.rng, locale['first_names']!));
  }

  /** Faker's UniqueProxy: the locale is picked once, then its method is called until a new value comes. */
  private unique(method: string, draw: (locale: Locale) => string): string {
    const locale = this.rng.choice(locales()) as Locale;
    let seen = this.seen.get(method);
    if (!seen) this.seen.set(method, (seen = new Set()));
    for (let attempt = 0; attempt < 1000; attempt++) {
      const value = draw(locale);
      if (!seen.has(value)) {
        seen.add(value);
        return value;
      }
    }
    throw new Error('faker-names: got duplicated values after 1,000 iterations');
  }
}
