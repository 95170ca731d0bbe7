/** Counts gathered while deriving the expected rows from the input files. */
export interface ExpectedStats {
  products: number;
  orders: number;
  items: number;
  /**
   * Later copies of an order or item key already read: each replaced the copy before it
   * (last write wins, the join's and the sink's rule for duplicates).
   */
  repeatedKeys: number;
  /** Items whose order is not in the file: an inner join produces no row for them. */
  orphanItems: number;
  /** Items whose product is not in the products file: a row with `productName: null`. */
  unknownProducts: number;
  /** Lines that are not valid records (counted, never silently skipped). */
  badLines: number;
}

/** A fresh, zeroed {@link ExpectedStats}. */
export function emptyExpectedStats(): ExpectedStats {
  return {
    products: 0,
    orders: 0,
    items: 0,
    repeatedKeys: 0,
    orphanItems: 0,
    unknownProducts: 0,
    badLines: 0,
  };
}
