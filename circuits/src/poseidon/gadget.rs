//! Poseidon in R1CS. Round constants and MDS matrices come from `light-poseidon`, so the gadget
//! cannot drift from the native hash. Cost: 3 constraints per S-box (x^2, x^4, x^5); additions
//! and the MDS layer are linear and free.
//!
//! The linear layers are tracked here as flat linear combinations over the permutation's own
//! variables (the inputs and the S-box outputs) instead of as chains of `FpVar` additions: a
//! chain of symbolic linear combinations through 57..65 partial rounds costs the Groth16
//! prover's LC inlining more than a third of its proving time; flat combinations cost it
//! nothing. Every S-box constraint reads the linear combination the symbolic version inlined
//! to, so the constraint count is unchanged (pinned in the tests).
//!
//! When the constraint system only computes an assignment (proving with cached matrices), the
//! linear layers are evaluated on values alone and no constraint is built.
use std::sync::OnceLock;

use ark_ff::{Field, Zero};
use ark_r1cs_std::fields::fp::{AllocatedFp, FpVar};
use ark_relations::lc;
use ark_relations::r1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};
use light_poseidon::parameters::bn254_x5::get_poseidon_parameters;
use light_poseidon::PoseidonParameters;

use super::native::MAX_INPUTS;
use crate::Fr;

fn params(width: usize) -> &'static PoseidonParameters<Fr> {
    static PARAMS: OnceLock<Vec<PoseidonParameters<Fr>>> = OnceLock::new();
    let all = PARAMS.get_or_init(|| {
        (2..=MAX_INPUTS + 1)
            .map(|w| get_poseidon_parameters::<Fr>(w as u8).expect("circom parameters exist"))
            .collect()
    });
    &all[width - 2]
}

/// One state element: `constant + Σ coeffs[k] · basis[k]`, with its value when the constraint
/// system has values (not in setup mode). `var` says structurally whether it depends on a
/// variable (the same in every synthesis mode, so setup and proving allocate the same
/// variables); `coeffs` is only tracked when the constraint matrices are built.
#[derive(Clone)]
struct Lin {
    constant: Fr,
    coeffs: Vec<Fr>,
    value: Option<Fr>,
    var: bool,
}

impl Lin {
    fn constant(c: Fr) -> Self {
        Lin {
            constant: c,
            coeffs: Vec::new(),
            value: Some(c),
            var: false,
        }
    }

    fn to_lc(&self, basis: &[Variable]) -> LinearCombination<Fr> {
        let mut terms = Vec::with_capacity(self.coeffs.len() + 1);
        if !self.constant.is_zero() {
            terms.push((self.constant, Variable::One));
        }
        terms.extend(
            self.coeffs
                .iter()
                .zip(basis)
                .filter(|(c, _)| !c.is_zero())
                .map(|(c, v)| (*c, *v)),
        );
        LinearCombination(terms)
    }
}

/// The permutation's variables and constraint system.
struct Permutation {
    cs: ConstraintSystemRef<Fr>,
    /// Whether constraints are built (setup, or proving with matrices); otherwise only the
    /// witness assignment is computed.
    matrices: bool,
    basis: Vec<Variable>,
}

impl Permutation {
    fn witness(&self, value: Option<Fr>) -> Result<Variable, SynthesisError> {
        self.cs
            .new_witness_variable(|| value.ok_or(SynthesisError::AssignmentMissing))
    }

    /// A state element equal to the variable `v` (added to the basis).
    fn unit(&mut self, v: Variable, value: Option<Fr>) -> Lin {
        if !self.matrices {
            // Only values are tracked: no basis, no coefficients.
            return Lin {
                constant: Fr::zero(),
                coeffs: Vec::new(),
                value,
                var: true,
            };
        }
        let index = match self.basis.iter().position(|b| *b == v) {
            Some(i) => i,
            None => {
                self.basis.push(v);
                self.basis.len() - 1
            }
        };
        let mut coeffs = vec![Fr::zero(); index + 1];
        coeffs[index] = Fr::from(1u64);
        Lin {
            constant: Fr::zero(),
            coeffs,
            value,
            var: true,
        }
    }

    /// `x^5` with three constraints (`x·x = x2`, `x2·x2 = x4`, `x4·x = x5`); free on constants.
    /// Returns the new variable and its value, or the constant.
    fn sbox(&self, x: &Lin) -> Result<Result<(Variable, Option<Fr>), Fr>, SynthesisError> {
        if !x.var {
            let c = x.constant;
            return Ok(Err(c.square().square() * c));
        }
        let v2 = x.value.map(|v| v.square());
        let v4 = v2.map(|v| v.square());
        let v5 = v4.zip(x.value).map(|(a, b)| a * b);
        let x2 = self.witness(v2)?;
        let x4 = self.witness(v4)?;
        let x5 = self.witness(v5)?;
        if self.matrices {
            let lc_x = x.to_lc(&self.basis);
            self.cs
                .enforce_constraint(lc_x.clone(), lc_x.clone(), lc!() + x2)?;
            self.cs
                .enforce_constraint(lc!() + x2, lc!() + x2, lc!() + x4)?;
            self.cs.enforce_constraint(lc!() + x4, lc_x, lc!() + x5)?;
        }
        Ok(Ok((x5, v5)))
    }

    /// `M · state`.
    fn mix(&self, state: &[Lin], mds: &[Vec<Fr>]) -> Vec<Lin> {
        let len = if self.matrices { self.basis.len() } else { 0 };
        mds.iter()
            .map(|row| {
                let mut out = Lin {
                    constant: Fr::zero(),
                    coeffs: vec![Fr::zero(); len],
                    value: Some(Fr::zero()),
                    var: false,
                };
                for (s, m) in state.iter().zip(row) {
                    out.constant += *m * s.constant;
                    out.var |= s.var && !m.is_zero();
                    for (o, c) in out.coeffs.iter_mut().zip(&s.coeffs) {
                        if !c.is_zero() {
                            *o += *m * c;
                        }
                    }
                    out.value = out.value.zip(s.value).map(|(acc, v)| acc + *m * v);
                }
                out
            })
            .collect()
    }
}

/// Poseidon of `1..=12` field-element variables; equals [`super::hash`] on their values.
pub fn hash_gadget(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    if inputs.is_empty() || inputs.len() > MAX_INPUTS {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = inputs.iter().find_map(|x| match x {
        FpVar::Var(a) => Some(a.cs.clone()),
        FpVar::Constant(_) => None,
    });
    let Some(cs) = cs else {
        // All constants: the hash is a constant too.
        let values: Vec<Fr> = inputs
            .iter()
            .map(|x| match x {
                FpVar::Constant(c) => *c,
                FpVar::Var(_) => unreachable!("no variable among the inputs"),
            })
            .collect();
        return Ok(FpVar::Constant(super::hash(&values)));
    };

    let mut initial = Vec::with_capacity(inputs.len() + 1);
    initial.push(FpVar::Constant(Fr::zero()));
    initial.extend_from_slice(inputs);
    let (perm, mut state) = permute_lin(&cs, &initial)?;
    to_var(&perm, state.swap_remove(0))
}

/// The circom Poseidon permutation of width `state.len()` (2..=13) on variables: every output
/// of the state (what a sponge or duplex needs); equals [`crate::cipher::permute`] at width 4.
pub fn permutation_gadget(state: &[FpVar<Fr>]) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    if state.len() < 2 || state.len() > MAX_INPUTS + 1 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = state.iter().find_map(|x| match x {
        FpVar::Var(a) => Some(a.cs.clone()),
        FpVar::Constant(_) => None,
    });
    let Some(cs) = cs else {
        return Err(SynthesisError::Unsatisfiable); // no constant-only states in this project
    };
    let (perm, out) = permute_lin(&cs, state)?;
    out.into_iter().map(|o| to_var(&perm, o)).collect()
}

/// Runs the permutation on `initial`, keeping the state as flat linear combinations of the
/// S-box outputs (one basis shared by the whole final state).
fn permute_lin(
    cs: &ConstraintSystemRef<Fr>,
    initial: &[FpVar<Fr>],
) -> Result<(Permutation, Vec<Lin>), SynthesisError> {
    let width = initial.len();
    let p = params(width);
    let mut perm = Permutation {
        matrices: cs.should_construct_matrices(),
        cs: cs.clone(),
        basis: Vec::with_capacity(width + p.partial_rounds),
    };
    let mut state: Vec<Lin> = Vec::with_capacity(width);
    for x in initial {
        let element = match x {
            FpVar::Constant(c) => Lin::constant(*c),
            FpVar::Var(a) => perm.unit(a.variable, a.value().ok()),
        };
        state.push(element);
    }

    let half = p.full_rounds / 2;
    let rounds = p.full_rounds + p.partial_rounds;
    for round in 0..rounds {
        for (i, s) in state.iter_mut().enumerate() {
            let c = p.ark[round * width + i];
            s.constant += c;
            s.value = s.value.map(|v| v + c);
        }
        let full = round < half || round >= half + p.partial_rounds;
        if full {
            // Every S-box output is a fresh variable: together they become the whole basis.
            let outputs = state
                .iter()
                .map(|s| perm.sbox(s))
                .collect::<Result<Vec<_>, _>>()?;
            perm.basis.clear();
            state = outputs
                .into_iter()
                .map(|o| match o {
                    Ok((v, value)) => perm.unit(v, value),
                    Err(c) => Lin::constant(c),
                })
                .collect();
        } else {
            state[0] = match perm.sbox(&state[0])? {
                Ok((v, value)) => perm.unit(v, value),
                Err(c) => Lin::constant(c),
            };
        }
        state = perm.mix(&state, &p.mds);
    }
    Ok((perm, state))
}

/// One output of the permutation as a variable (a symbolic linear combination: no constraint).
fn to_var(perm: &Permutation, out: Lin) -> Result<FpVar<Fr>, SynthesisError> {
    if !out.var {
        return Ok(FpVar::Constant(out.constant));
    }
    let lc = if perm.matrices {
        out.to_lc(&perm.basis)
    } else {
        // Only the assignment is computed, and no constraint will read this combination: it
        // only has to evaluate to the output's value (which is how the constraint system
        // answers for the value of a symbolic variable).
        let value = out.value.ok_or(SynthesisError::AssignmentMissing)?;
        LinearCombination(vec![(value, Variable::One)])
    };
    let variable = perm.cs.new_lc(lc)?;
    Ok(FpVar::Var(AllocatedFp::new(
        out.value,
        variable,
        perm.cs.clone(),
    )))
}
