/**
 * A lifecycle as data: the states an entity can be in, the events that move it, the guards that
 * may refuse an event the table allows, and the effects (by name) of entering a state or of an
 * event. Pure: persisting a transition (locking the row, writing the state and who/when/why, running
 * the named effects in the same transaction) is the feature's lifecycle module (`orders/lifecycle.ts`,
 * `approvals/levels.ts`, `delivery/lifecycle.ts`, `punchout/sessions.ts`, ...), built on this definition.
 */
export interface ProcessDefinition<
  S extends string,
  E extends string,
  G = undefined,
  F extends string = string,
> {
  /** The entity, in messages: "an order in state … cannot …". */
  readonly entity: string;
  readonly states: readonly S[];
  readonly transitions: Readonly<Record<S, Partial<Record<E, S>>>>;
  /**
   * Guards by event: given what the caller knows (G), a reason the event is refused although the
   * table allows it, or null.
   */
  readonly guards?: Readonly<Partial<Record<E, (facts: G, from: S) => string | null>>>;
  /** Effects of entering a state: run when a transition changes the state to it (not on a self-loop). */
  readonly onEnter?: Readonly<Partial<Record<S, readonly F[]>>>;
  /** Effects of an event: run on every transition by it, a self-loop too (after those of onEnter). */
  readonly onEvent?: Readonly<Partial<Record<E, readonly F[]>>>;
}

export class IllegalTransitionError<S extends string = string, E extends string = string> extends Error {
  constructor(
    readonly entity: string,
    readonly from: S,
    readonly event: E,
    readonly because?: string,
  ) {
    super(
      because === undefined
        ? `${article(entity)} ${entity} in state "${from}" cannot "${event}"`
        : `${article(entity)} ${entity} in state "${from}" cannot "${event}": ${because}`,
    );
    this.name = 'IllegalTransitionError';
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

export function defineProcess<S extends string, E extends string, G = undefined, F extends string = string>(
  def: ProcessDefinition<S, E, G, F>,
): ProcessDefinition<S, E, G, F> {
  for (const [from, moves] of Object.entries(def.transitions) as [S, Partial<Record<E, S>>][]) {
    if (!def.states.includes(from)) throw new Error(`${def.entity}: transitions from unknown state ${from}`);
    for (const to of Object.values(moves) as S[]) {
      if (!def.states.includes(to)) throw new Error(`${def.entity}: transition to unknown state ${to}`);
    }
  }
  return def;
}

/** The table's answer alone (no guards): is `event` a move out of `from`? */
export function canMove<S extends string, E extends string, G>(
  p: ProcessDefinition<S, E, G>,
  from: S,
  event: E,
): boolean {
  return p.transitions[from][event] !== undefined;
}

/** The state `event` leads to from `from`, after the table and the event's guard; throws otherwise. */
export function moveTo<S extends string, E extends string, G>(
  p: ProcessDefinition<S, E, G>,
  from: S,
  event: E,
  facts?: G,
): S {
  const to = p.transitions[from][event];
  if (to === undefined) throw new IllegalTransitionError(p.entity, from, event);
  const guard = p.guards?.[event];
  const refused = guard ? guard(facts as G, from) : null;
  if (refused !== null) throw new IllegalTransitionError(p.entity, from, event, refused);
  return to;
}

/**
 * The reason the guard of `event` refuses it on `facts`, or null (no guard, or it allows). For moves
 * persisted as one guarded UPDATE, whose caller checks the guard with what it read.
 */
export function guardRefusal<S extends string, E extends string, G>(
  p: ProcessDefinition<S, E, G>,
  from: S,
  event: E,
  facts: G,
): string | null {
  return p.guards?.[event]?.(facts, from) ?? null;
}

/** The events the table allows out of `from`, in the table's order. */
export function eventsFrom<S extends string, E extends string, G>(
  p: ProcessDefinition<S, E, G>,
  from: S,
): E[] {
  return Object.keys(p.transitions[from]) as E[];
}

/** States no event leaves. */
export function terminalStates<S extends string, E extends string, G>(p: ProcessDefinition<S, E, G>): S[] {
  return p.states.filter((s) => Object.keys(p.transitions[s]).length === 0);
}

/** The states from which `event` is allowed: for `whereIn(state, …)` guards in a single UPDATE. */
export function statesAllowing<S extends string, E extends string, G>(
  p: ProcessDefinition<S, E, G>,
  event: E,
): S[] {
  return p.states.filter((s) => p.transitions[s][event] !== undefined);
}

/**
 * The one state `event` leads to from every state that allows it: the target of a single guarded
 * UPDATE (`where state in statesAllowing(...)`, `set state = targetOf(...)`). Throws when the target
 * depends on the state the row is in (such an event needs the row read and locked first).
 */
export function targetOf<S extends string, E extends string, G>(p: ProcessDefinition<S, E, G>, event: E): S {
  const targets = new Set<S>();
  for (const s of statesAllowing(p, event)) {
    const to = p.transitions[s][event];
    if (to !== undefined) targets.add(to);
  }
  const [only, ...more] = targets;
  if (only === undefined || more.length)
    throw new Error(`${p.entity}: "${event}" leads to ${only ? [only, ...more].join(' or ') : 'no state'}`);
  return only;
}

/**
 * The named effects of moving from `from` to `to` by `event`, in the order they run: those of
 * entering `to` (when the state changed), then those of the event, each once.
 */
export function effectsOf<S extends string, E extends string, G, F extends string>(
  p: ProcessDefinition<S, E, G, F>,
  from: S | null,
  event: E,
  to: S,
): F[] {
  const entered = from === to ? [] : (p.onEnter?.[to] ?? []);
  return [...new Set([...entered, ...(p.onEvent?.[event] ?? [])])];
}
