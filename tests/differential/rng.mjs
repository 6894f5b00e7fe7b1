// A small seeded generator (mulberry32) shared by the test and benchmark
// generators, so that a seed always gives the same cases.
export function makeRng(seed) {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(rand() * n);
  return { rand, int, pick: (a) => a[int(a.length)], chance: (p) => rand() < p };
}
