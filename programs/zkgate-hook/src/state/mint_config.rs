use anchor_lang::prelude::*;
use spl_discriminator::{ArrayDiscriminator, SplDiscriminate};
use spl_type_length_value::state::{TlvState, TlvStateBorrowed, TlvStateMut};

use crate::errors::HookError;

/// Per-mint configuration of the hook. It is stored as a second TLV entry of the mint's
/// extra-account-metas account (after the interface's list), so `execute` reads it from an
/// account every transfer already carries: no extra account, 32 bytes less per transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MintConfig {
    /// The mint.
    pub mint: Pubkey,
    /// A transfer authority that passes without an approval (e.g. the permanent delegate for
    /// court-ordered clawbacks); each use emits `ExemptTransfer`. `None`: nobody is exempt.
    pub exempt_authority: Option<Pubkey>,
}

/// The TLV type of [`MintConfig`] in the extra-account-metas account.
pub struct MintConfigEntry;

impl SplDiscriminate for MintConfigEntry {
    const SPL_DISCRIMINATOR: ArrayDiscriminator = ArrayDiscriminator::new(*b"zkghcfg1");
}

impl MintConfig {
    /// Packed length: mint, a presence byte, the exempt authority (zeros when absent).
    pub const LEN: usize = 32 + 1 + 32;

    /// Writes the packed form into `dst` (exactly [`Self::LEN`] bytes).
    pub fn pack(&self, dst: &mut [u8]) -> Result<()> {
        require_eq!(dst.len(), Self::LEN, HookError::TokenDataUnreadable);
        dst[..32].copy_from_slice(self.mint.as_ref());
        dst[32] = u8::from(self.exempt_authority.is_some());
        dst[33..].copy_from_slice(self.exempt_authority.unwrap_or_default().as_ref());
        Ok(())
    }

    /// Reads the packed form.
    pub fn unpack(src: &[u8]) -> Result<Self> {
        require_eq!(src.len(), Self::LEN, HookError::TokenDataUnreadable);
        let key =
            |b: &[u8]| Pubkey::try_from(b).map_err(|_| error!(HookError::TokenDataUnreadable));
        let exempt_authority = match src[32] {
            0 => None,
            1 => Some(key(&src[33..])?),
            _ => return err!(HookError::TokenDataUnreadable),
        };
        Ok(Self {
            mint: key(&src[..32])?,
            exempt_authority,
        })
    }

    /// The configuration stored in an extra-account-metas account's data.
    pub fn from_list_data(data: &[u8]) -> Result<Self> {
        let state =
            TlvStateBorrowed::unpack(data).map_err(|_| error!(HookError::AccountMismatch))?;
        let bytes = state
            .get_first_bytes::<MintConfigEntry>()
            .map_err(|_| error!(HookError::AccountMismatch))?;
        Self::unpack(bytes)
    }

    /// Overwrites the configuration in an extra-account-metas account's data.
    pub fn store(&self, data: &mut [u8]) -> Result<()> {
        let mut state =
            TlvStateMut::unpack(data).map_err(|_| error!(HookError::AccountMismatch))?;
        let bytes = state
            .get_first_bytes_mut::<MintConfigEntry>()
            .map_err(|_| error!(HookError::AccountMismatch))?;
        self.pack(bytes)
    }

    /// Appends the configuration as a new entry (after the interface's list).
    pub fn append(&self, data: &mut [u8]) -> Result<()> {
        let mut state =
            TlvStateMut::unpack(data).map_err(|_| error!(HookError::AccountMismatch))?;
        let (bytes, _) = state.alloc::<MintConfigEntry>(Self::LEN, false)?;
        self.pack(bytes)
    }

    /// Space of the TLV entry (type, length, value).
    pub fn entry_space() -> usize {
        TlvStateBorrowed::get_base_len() + Self::LEN
    }
}
