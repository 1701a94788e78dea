//! Multi-scalar multiplication on short-Weierstrass curves: Pippenger with signed digits and
//! batch-affine bucket accumulation, over bases either as given (variable base) or expanded
//! once into a [`FixedBaseTable`] of their `2^(c·k)` multiples (fixed base: no doubling phase,
//! one bucket set for all windows).
//!
//! Bucket accumulation is where an MSM spends its time. arkworks adds each base to a
//! projective bucket (a mixed addition, about 11 field multiplications). Here the points of
//! every bucket are gathered (a counting sort by digit) and summed pairwise in affine
//! coordinates, all pairs of a round sharing one field inversion (Montgomery's trick): about
//! 6 multiplications per addition. Equal and opposite points (doubling, cancellation) and the
//! identity are handled exactly, so the result is the same group element arkworks computes.
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use rayon::prelude::*;

/// Bits of the scalars (BN254's Fr: 254).
fn scalar_bits<P: SWCurveConfig>() -> usize {
    <P::ScalarField as PrimeField>::MODULUS_BIT_SIZE as usize
}

/// Windows of `c` bits covering a scalar in signed digits (one spare bit for the carry).
pub fn window_count(bits: usize, c: usize) -> usize {
    (bits + 1).div_ceil(c)
}

/// Field multiplications per affine addition, per projective addition (the unit of the cost
/// model below; measured ratios on BN254 G1, where a squaring is close to a multiplication).
const AFFINE_ADD: usize = 6;
const PROJECTIVE_ADD: usize = 14;

/// The window size minimizing the modelled cost of an MSM of `n` full-size scalars over
/// `threads` threads: `n·windows` affine additions into the buckets, plus two projective
/// additions per bucket per bucket set (one set per window and thread for variable bases,
/// one per thread for a fixed-base table).
pub fn best_window(n: usize, bits: usize, threads: usize, fixed: bool) -> usize {
    let threads = threads.max(1);
    (4..=18)
        .min_by_key(|&c| {
            let windows = window_count(bits, c);
            let sets = if fixed { threads } else { windows.max(threads) };
            n * windows * AFFINE_ADD + sets * (1usize << (c - 1)) * 2 * PROJECTIVE_ADD
        })
        .unwrap_or(8)
}

/// Scalars in signed base-`2^c` digits, `windows` per scalar, each in `(−2^(c−1), 2^(c−1)]`.
pub struct Digits {
    c: usize,
    windows: usize,
    digits: Vec<i32>,
}

impl Digits {
    /// The signed digits of `scalars` (canonical, not Montgomery, form).
    pub fn new<B: BigInteger>(scalars: &[B], c: usize, bits: usize) -> Self {
        assert!((2..=30).contains(&c), "window of {c} bits");
        let windows = window_count(bits, c);
        let mut digits = vec![0i32; scalars.len() * windows];
        digits
            .par_chunks_mut(windows)
            .zip(scalars.par_iter())
            .for_each(|(out, s)| signed_digits(s.as_ref(), c, out));
        Self { c, windows, digits }
    }

    /// The window size.
    pub fn window(&self) -> usize {
        self.c
    }

    /// Number of scalars.
    pub fn len(&self) -> usize {
        self.digits.len() / self.windows
    }

    /// Whether there are no scalars.
    pub fn is_empty(&self) -> bool {
        self.digits.is_empty()
    }

    /// The digits of scalar `i`, lowest window first.
    fn of(&self, i: usize) -> &[i32] {
        &self.digits[i * self.windows..(i + 1) * self.windows]
    }
}

fn signed_digits(limbs: &[u64], c: usize, out: &mut [i32]) {
    let mask = (1u64 << c) - 1;
    let half = 1i64 << (c - 1);
    let mut carry = 0i64;
    for (w, d) in out.iter_mut().enumerate() {
        let bit = w * c;
        let (idx, shift) = (bit / 64, bit % 64);
        let mut v = limbs.get(idx).map_or(0, |l| l >> shift);
        if shift + c > 64 {
            if let Some(next) = limbs.get(idx + 1) {
                v |= next << (64 - shift);
            }
        }
        let mut v = (v & mask) as i64 + carry;
        carry = 0;
        if v > half {
            v -= 1i64 << c;
            carry = 1;
        }
        *d = v as i32;
    }
    debug_assert_eq!(carry, 0, "the windows cover the scalar and its carry");
}

/// The denominator of the affine addition `p + q` (1 where no inversion is needed).
#[inline(always)]
fn denominator<P: SWCurveConfig>(p: &Affine<P>, q: &Affine<P>) -> P::BaseField {
    if p.infinity || q.infinity {
        P::BaseField::one()
    } else if p.x == q.x {
        if p.y == q.y && !p.y.is_zero() {
            p.y.double()
        } else {
            P::BaseField::one()
        }
    } else {
        q.x - p.x
    }
}

/// `p + q` given the inverse of [`denominator`]`(p, q)`.
#[inline(always)]
fn add_with_inverse<P: SWCurveConfig>(
    p: &Affine<P>,
    q: &Affine<P>,
    inverse: &P::BaseField,
) -> Affine<P> {
    if p.infinity {
        return *q;
    }
    if q.infinity {
        return *p;
    }
    let lambda = if p.x == q.x {
        if p.y != q.y || p.y.is_zero() {
            return Affine::identity();
        }
        let xx = p.x.square();
        (xx.double() + xx + P::COEFF_A) * inverse
    } else {
        (q.y - p.y) * inverse
    };
    let x = lambda.square() - p.x - q.x;
    let y = lambda * (p.x - x) - p.y;
    Affine::new_unchecked(x, y)
}

/// Inverts every element of `v` (all non-zero) with one field inversion.
fn batch_invert<F: Field>(v: &mut [F], scratch: &mut Vec<F>) {
    scratch.clear();
    let mut acc = F::one();
    for x in v.iter() {
        scratch.push(acc);
        acc *= x;
    }
    let mut inv = acc.inverse().expect("denominators are non-zero");
    for (x, prefix) in v.iter_mut().zip(scratch.iter()).rev() {
        let next = inv * *x;
        *x = inv * prefix;
        inv = next;
    }
}

/// Bucket additions done per batch inversion, at most.
const MAX_BATCH: usize = 512;

/// Affine buckets filled in batches that share one inversion (see [`bucket_sum`]).
struct Buckets<P: SWCurveConfig> {
    /// Bucket `b` holds the sum of the entries with `|d| = b` so far (index 0 unused).
    sums: Vec<Affine<P>>,
    /// Projective side buckets for entries the queue had no room for.
    overflow: Vec<Projective<P>>,
    /// Whether bucket `b` has an addition in the current batch.
    busy: Vec<bool>,
    batch: Vec<(usize, Affine<P>)>,
    batch_len: usize,
    waiting: Vec<(usize, Affine<P>)>,
    denominators: Vec<P::BaseField>,
    scratch: Vec<P::BaseField>,
}

impl<P: SWCurveConfig> Buckets<P> {
    fn new(c: usize) -> Self {
        let len = 1usize << (c - 1);
        let batch_len = (len / 8).clamp(16, MAX_BATCH);
        Buckets {
            sums: vec![Affine::identity(); len + 1],
            overflow: vec![Projective::zero(); len + 1],
            busy: vec![false; len + 1],
            batch: Vec::with_capacity(batch_len),
            batch_len,
            waiting: Vec::with_capacity(batch_len),
            denominators: Vec::with_capacity(batch_len),
            scratch: Vec::with_capacity(batch_len),
        }
    }

    /// Puts `p` into the batch for bucket `b` (or straight into the bucket while it is
    /// empty); `false` if the bucket already has an addition in this batch.
    #[inline(always)]
    fn place(&mut self, b: usize, p: Affine<P>) -> bool {
        if self.busy[b] {
            return false;
        }
        if self.sums[b].infinity {
            self.sums[b] = p;
        } else {
            self.busy[b] = true;
            self.batch.push((b, p));
        }
        true
    }

    /// Adds `p` to bucket `b`.
    #[inline(always)]
    fn add(&mut self, b: usize, p: Affine<P>) {
        if !self.place(b, p) {
            if self.waiting.len() < self.batch_len {
                self.waiting.push((b, p));
            } else {
                // A skewed digit distribution (a top window of few bits) would grow the queue
                // without end: such entries take a projective side bucket instead.
                self.overflow[b] += &p;
            }
        }
        if self.batch.len() >= self.batch_len {
            self.flush();
        }
    }

    /// Adds the batch (one inversion), then refills it from the queue (up to a batch).
    fn flush(&mut self) {
        self.denominators.clear();
        for (b, p) in &self.batch {
            self.denominators.push(denominator(&self.sums[*b], p));
        }
        batch_invert(&mut self.denominators, &mut self.scratch);
        for ((b, p), inverse) in self.batch.drain(..).zip(self.denominators.iter()) {
            self.sums[b] = add_with_inverse(&self.sums[b], &p, inverse);
            self.busy[b] = false;
        }
        let mut waiting = std::mem::take(&mut self.waiting);
        waiting.retain(|&(b, p)| self.batch.len() >= self.batch_len || !self.place(b, p));
        self.waiting = waiting;
    }

    /// `Σ b·bucket_b`, once every entry is in (the running-sum trick).
    fn finish(mut self) -> Projective<P> {
        while !self.batch.is_empty() || !self.waiting.is_empty() {
            self.flush();
        }
        let mut running = Projective::<P>::zero();
        let mut sum = Projective::<P>::zero();
        for (bucket, side) in self.sums[1..].iter().zip(&self.overflow[1..]).rev() {
            running += bucket;
            running += side;
            sum += &running;
        }
        sum
    }
}

/// `Σ d·points[i]` over the `(i, d)` entries `entries` yields, with `1 ≤ |d| ≤ 2^(c−1)`.
///
/// The buckets are affine points. Entries are added to their bucket in batches that share one
/// field inversion (Montgomery's trick); a batch holds each bucket at most once, so an entry
/// whose bucket is already in the batch waits in a queue for the next one (when the queue is
/// full, it goes into a projective side bucket instead). The points are read once, in the
/// order given (a fixed-base table: sequentially), and the buckets stay in cache. Finally the
/// buckets are summed by the running-sum trick.
fn bucket_sum<P, I>(c: usize, points: &[Affine<P>], entries: I) -> Projective<P>
where
    P: SWCurveConfig,
    I: Iterator<Item = (usize, i32)>,
{
    let mut buckets = Buckets::new(c);
    for (i, d) in entries {
        let p = if d < 0 { -points[i] } else { points[i] };
        buckets.add(d.unsigned_abs() as usize, p);
    }
    buckets.finish()
}

/// Splits `0..n` into `parts` contiguous ranges.
fn ranges(n: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let parts = parts.clamp(1, n.max(1));
    let step = n.div_ceil(parts).max(1);
    (0..n).step_by(step).map(|s| s..(s + step).min(n)).collect()
}

/// `Σ sᵢ·Pᵢ` over the first `min(bases, scalars)` pairs, bases as given: one bucket set per
/// window, windows in parallel, combined by doubling.
pub fn msm<P: SWCurveConfig>(
    bases: &[Affine<P>],
    scalars: &[<P::ScalarField as PrimeField>::BigInt],
) -> Projective<P> {
    let n = bases.len().min(scalars.len());
    let bits = scalar_bits::<P>();
    let c = best_window(n, bits, rayon::current_num_threads(), false);
    let digits = Digits::new(&scalars[..n], c, bits);
    msm_with_digits(&bases[..n], &digits, 0)
}

/// [`msm`] with the scalars' digits already made (shared by MSMs over the same scalars): base
/// `i` takes scalar `offset + i`.
pub fn msm_with_digits<P: SWCurveConfig>(
    bases: &[Affine<P>],
    digits: &Digits,
    offset: usize,
) -> Projective<P> {
    let n = bases.len().min(digits.len().saturating_sub(offset));
    let c = digits.c;
    let sums: Vec<Projective<P>> = (0..digits.windows)
        .into_par_iter()
        .map(|w| {
            bucket_sum(
                c,
                bases,
                bases[..n]
                    .iter()
                    .enumerate()
                    .filter(|(_, base)| !base.infinity)
                    .map(|(i, _)| (i, digits.of(offset + i)[w]))
                    .filter(|&(_, d)| d != 0),
            )
        })
        .collect();
    sums.iter().rev().fold(Projective::zero(), |mut acc, s| {
        for _ in 0..c {
            acc.double_in_place();
        }
        acc + s
    })
}

/// Bases expanded into their multiples `2^(c·k)·P` for every window `k`: the MSM over them is
/// one bucket set with no doublings, at the price of `windows` points of memory per base.
pub struct FixedBaseTable<P: SWCurveConfig> {
    c: usize,
    windows: usize,
    bases: usize,
    table: Vec<Affine<P>>,
}

impl<P: SWCurveConfig> FixedBaseTable<P> {
    /// Expands `bases` for windows of `c` bits (in parallel).
    pub fn new(bases: &[Affine<P>], c: usize) -> Self {
        let windows = window_count(scalar_bits::<P>(), c);
        let mut table = vec![Affine::<P>::identity(); bases.len() * windows];
        table
            .par_chunks_mut(windows * 256)
            .zip(bases.par_chunks(256))
            .for_each(|(out, chunk)| {
                let mut multiples = Vec::with_capacity(out.len());
                for base in chunk {
                    let mut p = base.into_group();
                    for k in 0..windows {
                        if k > 0 {
                            for _ in 0..c {
                                p.double_in_place();
                            }
                        }
                        multiples.push(p);
                    }
                }
                out.copy_from_slice(&Projective::normalize_batch(&multiples));
            });
        Self {
            c,
            windows,
            bases: bases.len(),
            table,
        }
    }

    /// Expands `bases` for the window size [`best_window`] picks for them on this thread pool.
    pub fn for_bases(bases: &[Affine<P>]) -> Self {
        let threads = rayon::current_num_threads();
        Self::new(
            bases,
            best_window(bases.len(), scalar_bits::<P>(), threads, true),
        )
    }

    /// The window size.
    pub fn window(&self) -> usize {
        self.c
    }

    /// Number of bases.
    pub fn len(&self) -> usize {
        self.bases
    }

    /// Whether the table has no bases.
    pub fn is_empty(&self) -> bool {
        self.bases == 0
    }

    /// Memory held by the table, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.table.len() * std::mem::size_of::<Affine<P>>()
    }

    /// `Σ sᵢ·Pᵢ` over the first `min(bases, scalars)` pairs.
    pub fn msm(&self, scalars: &[<P::ScalarField as PrimeField>::BigInt]) -> Projective<P> {
        let n = self.bases.min(scalars.len());
        let digits = Digits::new(&scalars[..n], self.c, scalar_bits::<P>());
        self.msm_with_digits(&digits, 0, rayon::current_num_threads())
    }

    /// `Σ sᵢ·Pᵢ` with base `i` taking scalar `offset + i` of `digits` (made with this table's
    /// window size), the bases split into `parts` tasks for the pool, each with its own bucket
    /// set (so each part costs one more bucket reduction: run several MSMs side by side rather
    /// than splitting each one).
    pub fn msm_with_digits(&self, digits: &Digits, offset: usize, parts: usize) -> Projective<P> {
        assert_eq!(digits.c, self.c, "digits for another window size");
        let n = self.bases.min(digits.len().saturating_sub(offset));
        let w = self.windows;
        ranges(n, parts)
            .into_par_iter()
            .map(|range| {
                bucket_sum(
                    self.c,
                    &self.table,
                    range
                        .clone()
                        .filter(|&i| !self.table[i * w].infinity)
                        .flat_map(|i| {
                            digits
                                .of(offset + i)
                                .iter()
                                .enumerate()
                                .map(move |(k, &d)| (i * w + k, d))
                        })
                        .filter(|&(_, d)| d != 0),
                )
            })
            .reduce(Projective::zero, |a, b| a + b)
    }
}
