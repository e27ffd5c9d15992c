/** The intake flags in words, for the approval pages and the approvers' e-mail. */
export const FLAG_TITLES: Record<string, string> = {
  price_deviation: 'Prices differ from the agreed prices',
  unknown_sku: 'Items not in the catalog',
  total_mismatch: "The buyer's total does not match the lines",
  new_ship_to: 'Ships to a new address',
  change_after_confirmation: 'Changed after it was confirmed',
  price_from_catalog: 'Lines without a price were priced from the catalog',
};

export const flagTitle = (f: string) => FLAG_TITLES[f] ?? f;
