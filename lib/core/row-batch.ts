/** One value as the server sent it in the text protocol: raw bytes, or null for SQL NULL. */
export type RawValue = Buffer | null;
export type RawRow = RawValue[];

/** Whole rows in the text protocol's encoding, as `streamRawRows` yields them. */
export interface RowBatch {
  /**
   * Row packets back to back. Each: a 3-byte little-endian payload length and a sequence byte (as on
   * the wire), or for a payload of 16 MB or more 0xffffff, a zero byte and the length in 8 bytes;
   * then the payload: one length-coded value per column (0xfb = NULL).
   */
  data: Buffer;
  rows: number;
  /** Gives the batch's memory back for the next batch: call once `data` is no longer needed. */
  recycle?: () => void;
}
