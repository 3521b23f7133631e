import { SeededRandom } from './prng';

export interface DemoCategory {
  slug: string;
  name: string;
  parentSlug: string | null;
  position: number;
}

export interface DemoProduct {
  /** 1-based and dense, so the same seed gives every product the same id on every machine. */
  id: number;
  sku: string;
  name: string;
  description: string;
  price: number;
  categories: string[];
  stock: number;
  /** ISO instant within 2024, so "newest first" has something to sort. */
  createdAt: string;
}

export interface DemoCatalog {
  categories: DemoCategory[];
  products: DemoProduct[];
}

export const DEMO_SEED = 20_240_601;
export const DEMO_PRODUCT_COUNT = 1_200;

type Group = 'apparel' | 'footwear' | 'accessories' | 'home' | 'toys' | 'outdoor';

interface Leaf {
  slug: string;
  name: string;
  group: Group;
  kinds: readonly string[];
  materials: readonly string[];
  price: readonly [number, number];
  /** The gift guide a product of this leaf may also be listed in. */
  gift: string;
}

interface Branch {
  slug: string;
  name: string;
  leaves: readonly Leaf[];
}

const leaf = (
  slug: string,
  name: string,
  group: Group,
  kinds: readonly string[],
  materials: readonly string[],
  price: readonly [number, number],
  gift: string,
): Leaf => ({ slug, name, group, kinds, materials, price, gift });

const TREE: readonly Branch[] = [
  {
    slug: 'women',
    name: 'Women',
    leaves: [
      leaf(
        'women-blazers',
        'Blazers',
        'apparel',
        ['Blazer', 'Tailored Jacket', 'Waistcoat'],
        ['Linen', 'Wool', 'Cotton', 'Tweed', 'Velvet', 'Crepe'],
        [69, 299],
        'gifts-for-her',
      ),
      leaf(
        'women-dresses',
        'Dresses',
        'apparel',
        ['Midi Dress', 'Wrap Dress', 'Shirt Dress', 'Slip Dress', 'Maxi Dress'],
        ['Linen', 'Silk', 'Cotton', 'Viscose', 'Jersey', 'Satin'],
        [39, 249],
        'gifts-for-her',
      ),
      leaf(
        'women-knitwear',
        'Knitwear',
        'apparel',
        ['Cardigan', 'Jumper', 'Roll Neck', 'Knitted Vest'],
        ['Merino Wool', 'Cashmere', 'Alpaca', 'Cotton', 'Mohair'],
        [35, 229],
        'gifts-for-her',
      ),
      leaf(
        'women-tops',
        'Tops & Shirts',
        'apparel',
        ['Blouse', 'T-Shirt', 'Shirt', 'Camisole', 'Tunic'],
        ['Cotton', 'Silk', 'Linen', 'Jersey', 'Poplin'],
        [15, 119],
        'gifts-for-her',
      ),
      leaf(
        'women-trousers',
        'Trousers & Jeans',
        'apparel',
        ['Wide-Leg Trousers', 'Straight Jeans', 'Culottes', 'Chinos'],
        ['Denim', 'Linen', 'Wool', 'Cotton Twill', 'Corduroy'],
        [29, 159],
        'gifts-for-her',
      ),
      leaf(
        'women-shoes',
        'Shoes',
        'footwear',
        ['Ankle Boots', 'Loafers', 'Ballet Flats', 'Sandals', 'Trainers'],
        ['Leather', 'Suede', 'Canvas', 'Patent Leather'],
        [39, 249],
        'gifts-for-her',
      ),
    ],
  },
  {
    slug: 'men',
    name: 'Men',
    leaves: [
      leaf(
        'men-shirts',
        'Shirts',
        'apparel',
        ['Oxford Shirt', 'Overshirt', 'Polo Shirt', 'Shirt'],
        ['Cotton', 'Linen', 'Flannel', 'Chambray', 'Poplin'],
        [25, 129],
        'gifts-for-him',
      ),
      leaf(
        'men-knitwear',
        'Knitwear',
        'apparel',
        ['Crew Neck Jumper', 'Cardigan', 'Quarter-Zip Jumper', 'Roll Neck'],
        ['Merino Wool', 'Lambswool', 'Cashmere', 'Cotton'],
        [39, 249],
        'gifts-for-him',
      ),
      leaf(
        'men-jackets',
        'Coats & Jackets',
        'apparel',
        ['Blazer', 'Overcoat', 'Field Jacket', 'Bomber Jacket', 'Harrington Jacket'],
        ['Wool', 'Waxed Cotton', 'Linen', 'Tweed', 'Nylon'],
        [79, 449],
        'gifts-for-him',
      ),
      leaf(
        'men-trousers',
        'Trousers & Jeans',
        'apparel',
        ['Chinos', 'Slim Jeans', 'Cargo Trousers', 'Pleated Trousers'],
        ['Denim', 'Cotton Twill', 'Wool', 'Corduroy', 'Linen'],
        [29, 149],
        'gifts-for-him',
      ),
      leaf(
        'men-shoes',
        'Shoes',
        'footwear',
        ['Derby Shoes', 'Chelsea Boots', 'Trainers', 'Loafers', 'Brogues'],
        ['Leather', 'Suede', 'Canvas', 'Nubuck'],
        [49, 299],
        'gifts-for-him',
      ),
    ],
  },
  {
    slug: 'kids',
    name: 'Kids',
    leaves: [
      leaf(
        'kids-clothing',
        'Clothing',
        'apparel',
        ['Dungarees', 'Hoodie', 'Pyjama Set', 'Raincoat', 'T-Shirt'],
        ['Organic Cotton', 'Fleece', 'Jersey', 'Denim'],
        [9, 69],
        'gifts-for-kids',
      ),
      leaf(
        'kids-toys',
        'Toys',
        'toys',
        ['Train Set', 'Building Blocks', 'Plush Bear', 'Puzzle', 'Doll House', 'Stacking Rings'],
        ['Wooden', 'Organic Cotton', 'Felt', 'Recycled Plastic', 'Cardboard'],
        [7, 149],
        'gifts-for-kids',
      ),
    ],
  },
  {
    slug: 'home',
    name: 'Home',
    leaves: [
      leaf(
        'home-bedding',
        'Bedding',
        'home',
        ['Duvet Cover', 'Pillowcase Pair', 'Fitted Sheet', 'Throw', 'Quilt'],
        ['Linen', 'Cotton Percale', 'Cotton Sateen', 'Wool', 'Bamboo'],
        [19, 289],
        'gifts-for-home',
      ),
      leaf(
        'home-kitchen',
        'Kitchen',
        'home',
        ['Chef Knife', 'Skillet', 'Saucepan', 'Cutting Board', 'Mug Set', 'Serving Bowl'],
        ['Stainless Steel', 'Cast Iron', 'Enamel', 'Oak', 'Stoneware', 'Copper'],
        [9, 249],
        'gifts-for-home',
      ),
      leaf(
        'home-decor',
        'Decor',
        'home',
        ['Vase', 'Table Lamp', 'Candle Holder', 'Wall Mirror', 'Cushion Cover'],
        ['Ceramic', 'Glass', 'Brass', 'Rattan', 'Linen', 'Marble'],
        [12, 219],
        'gifts-for-home',
      ),
      leaf(
        'home-bath',
        'Bath',
        'home',
        ['Bath Towel', 'Bath Mat', 'Bathrobe', 'Hand Towel Set'],
        ['Cotton', 'Waffle Cotton', 'Linen', 'Turkish Cotton'],
        [9, 129],
        'gifts-for-home',
      ),
    ],
  },
  {
    slug: 'accessories',
    name: 'Accessories',
    leaves: [
      leaf(
        'accessories-bags',
        'Bags',
        'accessories',
        ['Tote Bag', 'Backpack', 'Crossbody Bag', 'Weekender', 'Wallet'],
        ['Leather', 'Canvas', 'Suede', 'Recycled Nylon'],
        [19, 349],
        'gifts-for-her',
      ),
      leaf(
        'accessories-scarves',
        'Scarves & Hats',
        'accessories',
        ['Scarf', 'Beanie', 'Bucket Hat', 'Snood', 'Flat Cap'],
        ['Cashmere', 'Wool', 'Silk', 'Cotton', 'Tweed'],
        [12, 179],
        'gifts-for-him',
      ),
      leaf(
        'accessories-jewellery',
        'Jewellery',
        'accessories',
        ['Necklace', 'Hoop Earrings', 'Bracelet', 'Signet Ring'],
        ['Sterling Silver', 'Gold Vermeil', 'Brass', 'Pearl'],
        [15, 259],
        'gifts-for-her',
      ),
    ],
  },
  {
    slug: 'outdoor',
    name: 'Outdoor',
    leaves: [
      leaf(
        'outdoor-camping',
        'Camping',
        'outdoor',
        ['Tent', 'Sleeping Bag', 'Camping Stove', 'Lantern', 'Folding Chair'],
        ['Ripstop Nylon', 'Aluminium', 'Down', 'Polyester', 'Steel'],
        [19, 499],
        'gifts-for-him',
      ),
      leaf(
        'outdoor-running',
        'Running',
        'outdoor',
        ['Running Jacket', 'Running Shorts', 'Running Tights', 'Running Vest'],
        ['Recycled Polyester', 'Merino Wool', 'Nylon', 'Mesh'],
        [19, 179],
        'gifts-for-him',
      ),
    ],
  },
];

const GIFT_GUIDES: readonly DemoCategory[] = [
  { slug: 'gifts', name: 'Gifts', parentSlug: null, position: TREE.length },
  { slug: 'gifts-for-her', name: 'For Her', parentSlug: 'gifts', position: 0 },
  { slug: 'gifts-for-him', name: 'For Him', parentSlug: 'gifts', position: 1 },
  { slug: 'gifts-for-kids', name: 'For Kids', parentSlug: 'gifts', position: 2 },
  { slug: 'gifts-for-home', name: 'For the Home', parentSlug: 'gifts', position: 3 },
];

const ADJECTIVES: Record<Group, readonly string[]> = {
  apparel: [
    'Relaxed',
    'Slim-Fit',
    'Cropped',
    'Oversized',
    'Classic',
    'Tailored',
    'Striped',
    'Pleated',
    'Belted',
    'Washed',
    'Textured',
    'Lightweight',
  ],
  footwear: ['Chunky', 'Classic', 'Pointed', 'Low-Top', 'Padded', 'Lug-Sole', 'Minimal', 'Woven'],
  accessories: [
    'Everyday',
    'Classic',
    'Oversized',
    'Mini',
    'Ribbed',
    'Twisted',
    'Vintage',
    'Chunky',
  ],
  home: [
    'Handmade',
    'Rustic',
    'Modern',
    'Stonewashed',
    'Speckled',
    'Scalloped',
    'Fluted',
    'Textured',
  ],
  toys: ['Classic', 'Rainbow', 'Pull-Along', 'Mini', 'Musical', 'Magnetic'],
  outdoor: ['Ultralight', 'Packable', 'Insulated', 'Waterproof', 'Reflective', 'Compact', 'Trail'],
};

const COLOURS = [
  'Navy',
  'Ivory',
  'Charcoal',
  'Sage',
  'Rust',
  'Oatmeal',
  'Black',
  'Olive',
  'Sky Blue',
  'Burgundy',
  'Sand',
  'Forest Green',
];

const MATERIAL_NOTES: Readonly<Record<string, string>> = {
  Linen: 'Woven from breathable European flax linen that softens with every wash.',
  Wool: 'Made from warm, naturally breathable wool that keeps its shape.',
  'Merino Wool': 'Knitted from fine merino wool that regulates temperature and resists odour.',
  Cashmere: 'Spun from grade-A Mongolian cashmere for exceptional softness.',
  Cotton: 'Made from soft, durable cotton that gets better with wear.',
  'Organic Cotton': 'Made from GOTS-certified organic cotton, gentle on skin.',
  Silk: 'Cut from fluid mulberry silk with a subtle sheen.',
  Leather: 'Crafted from full-grain leather that develops a rich patina over time.',
  Suede: 'Made from soft, brushed suede with a velvety finish.',
  Denim: 'Cut from rigid Japanese denim that moulds to you over time.',
  Tweed: 'Woven from a hard-wearing British tweed with a flecked finish.',
  Velvet: 'Made from a plush cotton velvet with a deep, rich pile.',
  'Cast Iron': 'Cast in one piece from iron that holds heat evenly and lasts for generations.',
  'Stainless Steel': 'Forged from high-carbon stainless steel that resists rust and stains.',
  Oak: 'Turned from sustainably sourced European oak and finished with food-safe oil.',
  Stoneware: 'Thrown in reactive-glaze stoneware, so every piece is slightly different.',
  Wooden: 'Made from sustainably sourced beech wood finished with water-based paint.',
  'Ripstop Nylon':
    'Made from a tear-resistant ripstop nylon with a durable water-repellent finish.',
  'Recycled Polyester': 'Made from recycled polyester that wicks sweat and dries fast.',
  'Sterling Silver': 'Crafted in solid 925 sterling silver, nickel-free.',
  Ceramic: 'Hand-glazed ceramic with a soft matte finish.',
};

/** Completes "This <product> is ..." and "These <products> are ...". */
const INTROS: Record<Group, readonly string[]> = {
  apparel: [
    'cut for easy layering from desk to dinner',
    'made to be worn season after season',
    'shaped to flatter and easy to dress up or down',
    'designed for effortless everyday wear',
    'a wardrobe staple with a modern edge',
  ],
  footwear: [
    'built for all-day comfort',
    'cushioned for long days on your feet',
    'versatile enough to go with everything',
    'made to be resoled and worn for years',
  ],
  accessories: [
    'the finishing touch for any outfit',
    'designed to be used every day',
    'a thoughtful gift that will be treasured',
    'small enough to carry everywhere',
  ],
  home: [
    'made to bring warmth and character to your home',
    'made to be used and loved every day',
    'a small luxury for everyday living',
    'designed to last for years',
  ],
  toys: [
    'made to spark imaginative play',
    'designed to grow with your child',
    'safety tested for little hands',
    'a classic to be handed down',
  ],
  outdoor: [
    'built for long days on the trail',
    'tested in wind, rain and cold',
    'light enough to take on every adventure',
    'designed for comfort whatever the weather',
  ],
};

const DETAILS: Record<Group, readonly string[]> = {
  apparel: [
    'Finished with horn-effect buttons and neat French seams.',
    'Features two patch pockets and a soft half lining.',
    'Has a relaxed drop shoulder and a straight hem.',
    'Detailed with tonal stitching and a curved hem.',
    'Comes with a matching fabric belt.',
  ],
  footwear: [
    'Sits on a grippy rubber sole with a stacked heel.',
    'Lined in soft leather with a padded collar.',
    'Goodyear-welted for strength and easy resoling.',
    'Features a removable, cushioned insole.',
  ],
  accessories: [
    'Comes in a recycled gift box.',
    'Has an adjustable strap and an inner zip pocket.',
    'Finished with hand-rolled edges.',
    'Nickel-free and hypoallergenic.',
  ],
  home: [
    'Each piece is made by hand, so no two are exactly alike.',
    'Dishwasher safe and oven safe up to 220°C.',
    'Pre-washed for a soft, lived-in feel from day one.',
    'Available in a range of calm, natural colours.',
  ],
  toys: [
    'Suitable for ages 3 and up.',
    'Finished with non-toxic, water-based paints.',
    'Packs away neatly in its own storage box.',
    'Encourages fine motor skills and problem solving.',
  ],
  outdoor: [
    'Packs down small into its own stuff sack.',
    'Taped seams keep the weather out.',
    'Reflective details for visibility after dark.',
    'Weighs less than you would expect.',
  ],
};

const CARE: Record<Group, readonly string[]> = {
  apparel: [
    'Machine wash at 30°C.',
    'Dry clean only.',
    'Hand wash cold and dry flat.',
    'True to size; take your usual size.',
  ],
  footwear: [
    'True to size.',
    'Wipe clean with a damp cloth.',
    'We recommend a protective spray before first wear.',
  ],
  accessories: [
    'Store in the dust bag provided.',
    'Spot clean only.',
    'Avoid contact with perfume and water.',
  ],
  home: ['Machine washable at 40°C.', 'Hand wash recommended.', 'Wipe clean with a soft cloth.'],
  toys: ['Wipe clean with a damp cloth.', 'Surface wash only.', 'Keep away from direct heat.'],
  outdoor: [
    'Machine wash at 30°C, then reproof.',
    'Air dry away from heat.',
    'Comes with a lifetime repair guarantee.',
  ],
};

function categoriesOf(): DemoCategory[] {
  const categories: DemoCategory[] = [];
  TREE.forEach((branch, position) => {
    categories.push({ slug: branch.slug, name: branch.name, parentSlug: null, position });
    branch.leaves.forEach((child, childPosition) =>
      categories.push({
        slug: child.slug,
        name: child.name,
        parentSlug: branch.slug,
        position: childPosition,
      }),
    );
  });
  return [...categories, ...GIFT_GUIDES];
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** "Jeans", "Building Blocks" and "Ankle Boots" are plural; "Wrap Dress" is not. */
function isPlural(name: string): boolean {
  return /[^s]s$/.test(name);
}

function describe(random: SeededRandom, product: Leaf, name: string, material: string): string {
  const [subject, verb] = isPlural(name) ? ['These', 'are'] : ['This', 'is'];
  const intro = `${subject} ${name.toLowerCase()} ${verb} ${random.pick(INTROS[product.group])}.`;
  const note =
    MATERIAL_NOTES[material] ??
    `Made from ${lowerFirst(material)} chosen for its feel and durability.`;
  return [intro, note, random.pick(DETAILS[product.group]), random.pick(CARE[product.group])].join(
    ' ',
  );
}

/** Whole amount in the leaf's range with a .99 or .49 ending, always within 5 to 500. */
function priceIn(random: SeededRandom, [min, max]: readonly [number, number]): number {
  const whole = random.int(Math.max(5, min), Math.min(499, max));
  const cents = random.chance(0.7) ? 99 : 49;
  return (whole * 100 + cents) / 100;
}

/** Mostly in stock, about one in eight sold out, a few big stocks. */
function stockLevel(random: SeededRandom): number {
  if (random.chance(0.12)) return 0;
  if (random.chance(0.1)) return random.int(200, 1000);
  return random.int(1, 120);
}

const YEAR_2024 = Date.UTC(2024, 0, 1);
const SECONDS_IN_2024 = 366 * 24 * 3600;

/**
 * A deterministic demo shop: a two-level category tree (six departments and a gift guide) and
 * `productCount` products named from adjectives, materials and product kinds, each in its
 * department's leaf and sometimes also a gift guide. Same seed and count, same shop. The first
 * product is always "Linen Blazer" (tests search for it by a stemmed word).
 */
export function generateDemoCatalog(seed: number, productCount: number): DemoCatalog {
  const random = new SeededRandom(seed);
  const leaves = TREE.flatMap((branch) => branch.leaves);
  const blazers = leaves.find((candidate) => candidate.slug === 'women-blazers') as Leaf;
  const usedNames = new Set<string>();
  const products: DemoProduct[] = [];

  for (let index = 0; index < productCount; index += 1) {
    const home = index === 0 ? blazers : random.pick(leaves);
    let name = 'Linen Blazer';
    let material = 'Linen';
    if (index > 0) {
      // A few tries for an unused name, then a colour in front; a duplicate is acceptable at the
      // 100,000-product scale of the benchmarks.
      for (let attempt = 0; attempt < 4; attempt += 1) {
        material = random.pick(home.materials);
        const kind = random.pick(home.kinds);
        const adjective = random.chance(0.8) ? `${random.pick(ADJECTIVES[home.group])} ` : '';
        const colour = attempt === 3 ? `${random.pick(COLOURS)} ` : '';
        name = `${colour}${adjective}${material} ${kind}`;
        if (!usedNames.has(name)) break;
      }
    }
    usedNames.add(name);
    const categories = random.chance(0.3) ? [home.slug, home.gift] : [home.slug];
    const createdAt = new Date(YEAR_2024 + random.int(0, SECONDS_IN_2024 - 1) * 1000);
    products.push({
      id: index + 1,
      sku: `SKU-${String(index + 1).padStart(6, '0')}`,
      name,
      description: describe(random, home, name, material),
      price: priceIn(random, home.price),
      categories,
      // The blazer is in stock so that search tests can combine it with the inStock filter.
      stock: index === 0 ? Math.max(25, stockLevel(random)) : stockLevel(random),
      createdAt: createdAt.toISOString(),
    });
  }
  return { categories: categoriesOf(), products };
}
