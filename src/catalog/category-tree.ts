/**
 * The category tree of the shopping pages, from category paths such as `Furniture/Seating`: one
 * node per path segment, each counting its own items and everything below it.
 */
export interface CategoryNode {
  /** The segment ("Seating"). */
  name: string;
  /** The whole path ("Furniture/Seating"): what a category link searches by. */
  path: string;
  /** Items in this category and all below it. */
  count: number;
  children: CategoryNode[];
}

export function categoryTree(counts: readonly { category: string; count: number }[]): CategoryNode[] {
  const roots: CategoryNode[] = [];
  const byPath = new Map<string, CategoryNode>();
  for (const { category, count } of counts) {
    // Segments as stored, so a node's path is a prefix the category search matches.
    const segments = category.split('/').filter((s) => s !== '');
    let siblings = roots;
    let path = '';
    for (const name of segments) {
      path = path ? `${path}/${name}` : name;
      let node = byPath.get(path);
      if (!node) {
        node = { name, path, count: 0, children: [] };
        byPath.set(path, node);
        siblings.push(node);
      }
      node.count += count;
      siblings = node.children;
    }
  }
  const sort = (nodes: CategoryNode[]) => {
    nodes.sort((a, b) => a.name.localeCompare(b.name, 'en'));
    nodes.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

/** The nodes from the root down to `path` (the breadcrumb of a category page); empty when unknown. */
export function trailTo(roots: readonly CategoryNode[], path: string): CategoryNode[] {
  const out: CategoryNode[] = [];
  let level: readonly CategoryNode[] = roots;
  for (const segment of path.split('/').filter((s) => s !== '')) {
    const node = level.find((n) => n.name === segment);
    if (!node) return [];
    out.push(node);
    level = node.children;
  }
  return out;
}
