/**
 * ANSI X12 codec: streaming tokenizer, envelope reader, 850/855/856/810 mappings to the canonical
 * model, serializers and 997/999/TA1 acknowledgments. Pure: no I/O, no clock.
 */
export * from './types';
export { Segment, elementText, splitElements } from './segment';
export {
  X12Tokenizer,
  tokenize,
  ISA_WIDTHS,
  type InterchangeStart,
  type TokenizerHandlers,
} from './tokenizer';
export * from './envelope';
export {
  SEGMENTS,
  validateSegment,
  checkValue,
  type ElementDef,
  type SegmentDef,
  type ValidationContext,
} from './schema';
export * from './serialize';
export {
  decimalFromR,
  decimalFromImplied,
  impliedFromDecimal,
  isoDate,
  isoDateTime,
  x12DateTime,
  SetErrors,
} from './values';
export { parse850, build850, type Parse850Options, type Parse850Result, type Build850Options } from './850';
export * from './855';
export * from './856';
export * from './810';
export * from './ack';
export { parseTransactionSet, type MappedTransactionSet } from './dispatch';
export * from './tables';
