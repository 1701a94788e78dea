//! Poseidon over BN254 with the circom parameters (x^5 S-box, width `n + 1`, capacity element
//! first, output `state[0]`): the hash `light-poseidon` computes and Solana's `sol_poseidon`
//! syscall exposes. `native` wraps `light-poseidon` itself; `gadget` is the same permutation in
//! R1CS, built from `light-poseidon`'s own round constants and MDS matrices.
mod gadget;
mod native;

pub use gadget::{hash_gadget, permutation_gadget};
pub use native::{hash, try_hash, PoseidonError, MAX_INPUTS};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::fr_to_be_bytes;
    use crate::Fr;
    use ark_ff::UniformRand;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;

    fn fr(n: u64) -> Fr {
        Fr::from(n)
    }

    #[test]
    fn frozen_vectors_match_circomlib() {
        assert_eq!(
            hex::encode(fr_to_be_bytes(&hash(&[fr(1), fr(2)]))),
            "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"
        );
        assert_eq!(
            hex::encode(fr_to_be_bytes(&hash(&[fr(1), fr(2), fr(3), fr(4)]))),
            "299c867db6c1fdd79dcefa40e4510b9837e60ebb1ce0663dbaa525df65250465"
        );
    }

    #[test]
    fn arity_limits_are_errors() {
        assert!(try_hash(&[]).is_err());
        assert!(try_hash(&vec![fr(1); MAX_INPUTS + 1]).is_err());
        assert!(try_hash(&vec![fr(1); MAX_INPUTS]).is_ok());
    }

    #[test]
    fn gadget_equals_native_for_every_arity() {
        let mut rng = ark_std::test_rng();
        for n in 1..=MAX_INPUTS {
            let inputs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let cs = ConstraintSystem::<Fr>::new_ref();
            let vars: Vec<FpVar<Fr>> = inputs
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                .collect();
            let out = hash_gadget(&vars).unwrap();
            assert_eq!(out.value().unwrap(), hash(&inputs), "arity {n}");
            assert!(cs.is_satisfied().unwrap());
        }
    }

    #[test]
    fn gadget_equals_native_with_constants_and_repeated_variables() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = FpVar::new_witness(cs.clone(), || Ok(fr(5))).unwrap();
        let b = FpVar::new_witness(cs.clone(), || Ok(fr(9))).unwrap();
        // A symbolic linear combination as an input, a repeated variable and constants.
        let sum = &a + &b;
        let inputs = [
            FpVar::Constant(fr(3)),
            a.clone(),
            sum,
            a.clone(),
            FpVar::Constant(fr(0)),
        ];
        let out = hash_gadget(&inputs).unwrap();
        assert_eq!(
            out.value().unwrap(),
            hash(&[fr(3), fr(5), fr(14), fr(5), fr(0)])
        );
        // Constant-only inputs hash to a constant without constraints.
        let before = cs.num_constraints();
        let c = hash_gadget(&[FpVar::Constant(fr(1)), FpVar::Constant(fr(2))]).unwrap();
        assert!(matches!(c, FpVar::Constant(_)));
        assert_eq!(c.value().unwrap(), hash(&[fr(1), fr(2)]));
        assert_eq!(cs.num_constraints(), before);
        // The output feeds further constraints like any variable.
        let again = hash_gadget(&[out.clone(), b]).unwrap();
        assert_eq!(again.value().unwrap(), hash(&[out.value().unwrap(), fr(9)]));
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn gadget_synthesizes_without_values_in_setup_mode() {
        use ark_relations::r1cs::SynthesisMode;
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        let vars: Vec<FpVar<Fr>> = (0..3)
            .map(|_| FpVar::new_witness(cs.clone(), || Ok(fr(0))).unwrap())
            .collect();
        let out = hash_gadget(&vars).unwrap();
        assert!(out.value().is_err());
        assert_eq!(cs.num_constraints(), (8 * 4 + 56 - 1) * 3);
    }

    #[test]
    fn gadget_output_is_bound_to_the_inputs() {
        // A wrong claimed output leaves the system unsatisfied.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = FpVar::new_witness(cs.clone(), || Ok(fr(1))).unwrap();
        let b = FpVar::new_witness(cs.clone(), || Ok(fr(2))).unwrap();
        let out = hash_gadget(&[a, b]).unwrap();
        let claimed = FpVar::new_input(cs.clone(), || Ok(hash(&[fr(1), fr(3)]))).unwrap();
        use ark_r1cs_std::eq::EqGadget;
        out.enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn constraint_count_is_pinned() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<FpVar<Fr>> = (0..2)
            .map(|i| FpVar::new_witness(cs.clone(), || Ok(fr(i))).unwrap())
            .collect();
        let _ = hash_gadget(&vars).unwrap();
        // 8 full rounds x 3 S-boxes + 57 partial rounds x 1 S-box, 3 constraints per x^5,
        // minus the first round's S-box on the constant capacity element (free).
        assert_eq!(cs.num_constraints(), (8 * 3 + 57 - 1) * 3);
    }
}
