/**
 * Shared types of the X12 codec: segments, delimiters and the typed error every stage reports.
 */

/** The separators of one interchange, as read from its ISA segment. */
export interface Delimiters {
  /** Data element separator: the character at ISA position 4 (0-based 3). */
  element: string;
  /** Component (sub-element) separator: ISA16. */
  component: string;
  /** Repetition separator: ISA11 when ISA12 >= 00402 and ISA11 is not alphanumeric; else undefined. */
  repetition: string | undefined;
  /** Segment terminator: the character right after ISA16. */
  segment: string;
}

/** A composite element (components split on the component separator). */
export interface Composite {
  readonly kind: 'composite';
  readonly components: string[];
  /** The element text as sent, separators included. */
  readonly raw: string;
}

/** A repeated element (split on the repetition separator); each repeat may itself be a composite. */
export interface Repeated {
  readonly kind: 'repeated';
  readonly repeats: (string | Composite)[];
  readonly raw: string;
}

/** A simple element is a plain string; only elements that contain a separator become objects. */
export type Element = string | Composite | Repeated;

/** Error codes. Envelope and syntax codes map to TA1 / AK5 / AK9 / AK3 / AK4 codes in ack.ts. */
export const X12_ERROR_CODES = [
  // input
  'EMPTY_INPUT',
  'NOT_X12',
  'SEGMENT_OUTSIDE_ENVELOPE',
  'INVALID_SEGMENT_ID',
  // interchange (TA1)
  'ISA_TRUNCATED',
  'ISA_LENGTH',
  'ISA_FIELD_WIDTH',
  'ISA_INVALID_VALUE',
  'ISA_INVALID_DELIMITERS',
  'IEA_MISSING',
  'IEA_GROUP_COUNT',
  'IEA_CONTROL_MISMATCH',
  // ISA13 already used by another interchange of the sender (found by the receiver, not the codec)
  'ISA_DUPLICATE_CONTROL',
  // functional group (AK9 / 997 header)
  'GS_INVALID',
  'GE_MISSING',
  'GE_SET_COUNT',
  'GE_CONTROL_MISMATCH',
  // transaction set (AK5)
  'SET_NOT_SUPPORTED',
  'ST_INVALID',
  'SE_MISSING',
  'SE_SEGMENT_COUNT',
  'SE_CONTROL_MISMATCH',
  // segment (AK3)
  'UNEXPECTED_SEGMENT',
  'MISSING_SEGMENT',
  // element (AK4)
  'MISSING_ELEMENT',
  'CONDITIONAL_ELEMENT_MISSING',
  'TOO_MANY_ELEMENTS',
  'ELEMENT_TOO_SHORT',
  'ELEMENT_TOO_LONG',
  'INVALID_CHARACTER',
  'INVALID_CODE',
  'INVALID_DATE',
  'INVALID_TIME',
  'INVALID_NUMBER',
  'TOO_MANY_REPETITIONS',
  'TOO_MANY_COMPONENTS',
  // application level (mapping to the canonical model)
  'COUNT_MISMATCH',
  'HIERARCHY_ERROR',
] as const;
export type X12ErrorCode = (typeof X12_ERROR_CODES)[number];

/**
 * Every problem the codec finds is a value of this type (never a thrown exception).
 * Positions are 1-based.
 */
export interface X12Error {
  code: X12ErrorCode;
  message: string;
  /** Position of the segment within its transaction set (ST = 1); for envelope segments, within the file. */
  segmentPosition: number;
  /** Position of the segment within the whole input. */
  fileSegmentPosition: number;
  /** Id of the segment at fault, or of the missing segment ("SE" for a missing trailer). */
  segmentId: string;
  /** Element position (BEG03 -> 3) when one element is at fault. */
  elementPosition?: number;
  /** Component position within a composite element. */
  componentPosition?: number;
  /** Repetition (1-based) of a repeated element. */
  repetitionPosition?: number;
  /** The offending value, when there is one (AK404 / IK404). */
  badValue?: string;
  /** Loop id the segment belongs to (AK303 / IK303), when known ("PO1", "N1", "HL"). */
  loopId?: string;
  interchangeControl?: string;
  groupControl?: string;
  transactionControl?: string;
  /** ST01 of the transaction set the error belongs to. */
  transactionSetId?: string;
  /**
   * True for errors of the mapping to the canonical model (valid X12 the model cannot take, e.g. a
   * PO1 without unit price). They belong in an application response (855 reject / 824), not
   * necessarily in the 997/999: `buildFunctionalAck` leaves them out unless asked.
   */
  application?: boolean;
}
