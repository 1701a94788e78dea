// Token-2022 transfers of mints enforced by zkgate-hook, for @solana/kit dApps and wallets.
//
// Every transfer of such a mint needs an approval that zkgate recorded after verifying a proof
// (`getApproveInstructionAsync` / `getTransferInstructionAsync` in ./generated), and Token-2022
// calls the hook with the accounts its extra-account-metas list names. A wallet that resolves
// transfer-hook accounts finds them by itself; this module builds them without any RPC read, since
// every address derives from the mint and the source token account.
import {
  AccountRole,
  type Address,
  address,
  getAddressEncoder,
  getProgramDerivedAddress,
  type Instruction,
} from "@solana/kit";

/** The zkgate-hook program. */
export const ZKGATE_HOOK_PROGRAM_ADDRESS = address("ZKGateHook111111111111111111111111111111111");
/** The Token-2022 program. */
export const TOKEN_2022_PROGRAM_ADDRESS = address("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

const text = (s: string) => new TextEncoder().encode(s);

async function hookPda(seeds: Uint8Array[]): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({
    programAddress: ZKGATE_HOOK_PROGRAM_ADDRESS,
    seeds,
  });
  return pda;
}

/** The hook's accounts for transfers of `mint` from the token account `source`. */
export async function findHookAccounts(mint: Address, source: Address) {
  const key = getAddressEncoder();
  return {
    /** The approval zkgate records and the hook consumes (writable). */
    approval: await hookPda([text("approval"), key.encode(mint) as Uint8Array, key.encode(source) as Uint8Array]),
    /** The hook's event authority (its event CPI). */
    eventAuthority: await hookPda([text("__event_authority")]),
    /** The transfer-hook interface's extra-account-metas list of the mint (with the hook's configuration of the mint). */
    extraAccountMetas: await hookPda([text("extra-account-metas"), key.encode(mint) as Uint8Array]),
  };
}

/** Input of {@link getHookedTransferCheckedInstruction}. */
export interface HookedTransferCheckedInput {
  source: Address;
  mint: Address;
  destination: Address;
  /** The source's owner (a delegate is refused by the hook). */
  authority: Address;
  amount: bigint;
  decimals: number;
}

/**
 * Token-2022 `TransferChecked` with zkgate-hook's accounts appended, in the order the Rust
 * client uses (`zkgate_client::ix::hooked_transfer_checked`). Send it right after zkgate's
 * `approve` for the same source, destination and amount, in the same transaction.
 */
export async function getHookedTransferCheckedInstruction(
  input: HookedTransferCheckedInput,
): Promise<Instruction> {
  const hook = await findHookAccounts(input.mint, input.source);
  const data = new Uint8Array(10);
  data[0] = 12; // TokenInstruction::TransferChecked
  new DataView(data.buffer).setBigUint64(1, input.amount, true);
  data[9] = input.decimals;
  return {
    programAddress: TOKEN_2022_PROGRAM_ADDRESS,
    accounts: [
      { address: input.source, role: AccountRole.WRITABLE },
      { address: input.mint, role: AccountRole.READONLY },
      { address: input.destination, role: AccountRole.WRITABLE },
      { address: input.authority, role: AccountRole.READONLY_SIGNER },
      { address: hook.approval, role: AccountRole.WRITABLE },
      { address: hook.eventAuthority, role: AccountRole.READONLY },
      { address: ZKGATE_HOOK_PROGRAM_ADDRESS, role: AccountRole.READONLY },
      { address: hook.extraAccountMetas, role: AccountRole.READONLY },
    ],
    data,
  };
}
