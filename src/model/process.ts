/**
 * A lifecycle as data: the states an entity can be in, the events that move it, and the guards that
 * may refuse an event the table allows. Pure: persisting a transition (locking the row, writing the
 * state and who/when/why, running the effects of entering a state) is the feature's lifecycle module
 * (`orders/lifecycle.ts`, `invoices/lifecycle.ts`, ...), built on this definition.
 */
export interface ProcessDefinition<S extends string, E extends string, G = undefined> {
  /** The entity, in messages: "an order in state … cannot …". */
  readonly entity: string;
  readonly states: readonly S[];
  readonly transitions: Readonly<Record<S, Partial<Record<E, S>>>>;
  /**
   * Guards by event: given what the caller knows (G), a reason the event is refused although the
   * table allows it, or null.
   */
  readonly guards?: Readonly<Partial<Record<E, (facts: G, from: S) => string | null>>>;
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

export function defineProcess<S extends string, E extends string, G = undefined>(
  def: ProcessDefinition<S, E, G>,
): ProcessDefinition<S, E, G> {
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
