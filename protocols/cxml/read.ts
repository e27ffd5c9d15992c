/**
 * Internal: reading a cXML element tree into the model. A `Reader` remembers every element a mapper looked
 * at, so a mapping can list what the document carried and the model did not take (`unmappedPaths`).
 * Every refusal names the XPath of the offending element or attribute.
 */
import type { DecimalString } from '../../src/model';
import { badData } from './errors';
import type { CxmlElement } from './xml';
import { childElements, deepText, firstChildElement, ownText } from './xml';
import { parseCxmlDate } from './dates';

export class Reader {
  private readonly seen = new Set<CxmlElement>();

  node(el: CxmlElement): Node {
    this.seen.add(el);
    return new Node(el, this);
  }

  markDeep(el: CxmlElement): void {
    this.seen.add(el);
    for (const c of el.children) if (typeof c !== 'string') this.markDeep(c);
  }

  /** Elements under `from` (a looked-at element) that no mapper looked at; the topmost of each subtree. */
  unmappedPaths(from: CxmlElement): string[] {
    const out: string[] = [];
    const walk = (el: CxmlElement): void => {
      for (const c of childElements(el)) {
        if (this.seen.has(c)) walk(c);
        else out.push(c.path);
      }
    };
    walk(from);
    return out;
  }
}

export class Node {
  constructor(
    readonly el: CxmlElement,
    private readonly reader: Reader,
  ) {}

  get path(): string {
    return this.el.path;
  }

  get name(): string {
    return this.el.name;
  }

  attr(name: string): string | undefined {
    const v = this.el.attributes[name];
    return v === undefined ? undefined : v.trim();
  }

  /** Attribute that must be present and not blank. */
  requiredAttr(name: string): string {
    const v = this.attr(name);
    if (v === undefined || v === '') {
      throw badData(
        `required attribute ${name} is ${v === undefined ? 'missing' : 'empty'}`,
        `${this.path}/@${name}`,
      );
    }
    return v;
  }

  child(name: string): Node | undefined {
    const el = firstChildElement(this.el, name);
    return el === undefined ? undefined : this.reader.node(el);
  }

  children(name: string): Node[] {
    return childElements(this.el, name).map((el) => this.reader.node(el));
  }

  required(name: string): Node {
    const c = this.child(name);
    if (c === undefined) throw badData(`required element ${name} is missing`, `${this.path}/${name}`);
    return c;
  }

  /** All text inside, trimmed; the element and everything under it count as mapped. */
  text(): string {
    this.reader.markDeep(this.el);
    return deepText(this.el).trim();
  }

  /** Text directly inside (mixed content such as Description or Comments), trimmed. */
  ownText(): string {
    return ownText(this.el).trim();
  }

  /** Text of the first child of that name, undefined when absent or blank. */
  childText(name: string): string | undefined {
    const t = this.child(name)?.text();
    return t === undefined || t === '' ? undefined : t;
  }

  /** Text of a child that must be present and not blank. */
  requiredText(name: string): string {
    const c = this.required(name);
    const t = c.text();
    if (t === '') throw badData(`required element ${name} is empty`, c.path);
    return t;
  }
}

// ---------------------------------------------------------------------------------------------- numbers

/**
 * cXML numbers are plain decimals ("1234.50"). Accepted as well, because they are unambiguous:
 * a leading "+", ".5" (read "0.5"), "5." (read "5"), and thousands commas when a decimal point follows
 * ("1,234.50"). Refused, because they are ambiguous or not numbers: "1,234" (thousands or decimal comma?),
 * "1.234,50", "1,5", exponents, spaces inside, empty. The accepted digits are kept as sent ("8.10" stays).
 */
export function parseCxmlDecimal(raw: string): DecimalString | undefined {
  let v = raw.trim();
  if (/^[+-]?\d{1,3}(,\d{3})+\.\d+$/.test(v)) v = v.replace(/,/g, '');
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(v);
  if (!m) return undefined;
  const [, sign, int, frac] = m;
  if ((int ?? '') === '' && (frac ?? '') === '') return undefined;
  const intPart = int === '' || int === undefined ? '0' : int;
  return `${sign === '-' ? '-' : ''}${intPart}${frac !== undefined && frac !== '' ? `.${frac}` : ''}`;
}

export function decimalAttr(node: Node, name: string, required: true): DecimalString;
export function decimalAttr(node: Node, name: string, required?: false): DecimalString | undefined;
export function decimalAttr(node: Node, name: string, required = false): DecimalString | undefined {
  const raw = required ? node.requiredAttr(name) : node.attr(name);
  if (raw === undefined || raw === '') return undefined;
  const value = parseCxmlDecimal(raw);
  if (value === undefined) throw badData(`"${raw}" is not a decimal number`, `${node.path}/@${name}`);
  return value;
}

/** Non-negative integer attribute (line numbers, days). */
export function uintAttr(node: Node, name: string): number | undefined {
  const raw = node.attr(name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw badData(`"${raw}" is not a whole number`, `${node.path}/@${name}`);
  return Number(raw);
}

const CURRENCY_RE = /^[A-Z]{3}$/;

export interface ReadMoney {
  amount: DecimalString;
  currency: string;
}

/**
 * Reads the `Money` child of `parent` (Total, UnitPrice, Charge, ...). An empty `<Money currency="USD"/>`
 * counts as absent (undefined) unless `required`.
 */
export function readMoney(parent: Node, required: true): ReadMoney;
export function readMoney(parent: Node, required?: boolean): ReadMoney | undefined;
export function readMoney(parent: Node, required = false): ReadMoney | undefined {
  const money = required ? parent.required('Money') : parent.child('Money');
  if (money === undefined) return undefined;
  const raw = money.text();
  const currency = money.attr('currency');
  if (raw === '') {
    if (required) throw badData('amount is empty', money.path);
    return undefined;
  }
  if (currency === undefined || !CURRENCY_RE.test(currency)) {
    throw badData(
      currency === undefined ? 'currency is missing' : `"${currency}" is not an ISO 4217 currency code`,
      `${money.path}/@currency`,
    );
  }
  const amount = parseCxmlDecimal(raw);
  if (amount === undefined) {
    throw badData(`"${raw}" is not an amount (plain decimal expected, e.g. 1234.50)`, money.path);
  }
  return { amount, currency };
}

/** Date attribute normalised to ISO 8601 (see dates.ts); refuses what is not a date. */
export function dateAttr(node: Node, name: string, required: true): string;
export function dateAttr(node: Node, name: string, required?: false): string | undefined;
export function dateAttr(node: Node, name: string, required = false): string | undefined {
  const raw = required ? node.requiredAttr(name) : node.attr(name);
  if (raw === undefined || raw === '') return undefined;
  const parsed = parseCxmlDate(raw);
  if (parsed === undefined) throw badData(`"${raw}" is not a date`, `${node.path}/@${name}`);
  return parsed.iso;
}
