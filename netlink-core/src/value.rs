//! The encode and decode contract shared by generated and hand-written code.
//!
//! A value knows its encoded length ([`Encode::encoded_len`]), appends
//! itself to a buffer ([`Encode::encode`]), and decodes from a borrowed
//! payload ([`Decode::decode`]). Attribute framing is not the value's
//! business: [`crate::attr::write`] adds header and padding around it.
//!
//! The rules for the built-in types:
//!
//! | type | encoding | decoding |
//! |---|---|---|
//! | `u8`..`u64`, `i8`..`i64` | host order | exact length |
//! | `U16<O>`, `U32<O>`, `U64<O>`, `I..<O>` of `zerocopy::byteorder` | that order (`BigEndian` for network order) | exact length |
//! | `bool` | a flag: present and empty | any payload means `true` |
//! | `&str`, `String` | UTF-8 and one NUL | up to the first NUL (or the end), must be UTF-8 |
//! | `&CStr`, `CString` | bytes and one NUL, not UTF-8-checked | up to the first NUL, which must exist |
//! | `&[u8]`, `Vec<u8>`, `[u8; N]` | raw bytes | raw bytes (`[u8; N]` exact) |
//! | `Ipv4Addr`, `Ipv6Addr` | network order, 4 or 16 bytes | exact length |
//! | `IpAddr` | 4 or 16 bytes | by length |
//! | [`MacAddr`] | 6 bytes | exact length |
//! | `zerocopy` structs, through [`pod_value!`](crate::pod_value) | their bytes | a longer payload is cut to size, a shorter one is zero-extended (kernel structs grow across versions) |
//! | `bitflags` types, through [`flags_value!`](crate::flags_value) | their bits | unknown bits kept |
//!
//! Strings decode up to the first NUL as the kernel's `nla_strscpy` does;
//! bytes after it are not part of the value. Use `&[u8]` to see them.

use core::ffi::CStr;
use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ffi::CString;

use zerocopy::byteorder::{ByteOrder, I16, I32, I64, U16, U32, U64};
use zerocopy::{FromBytes, IntoBytes};

use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// A value that can be written as an attribute payload or message body.
pub trait Encode {
    /// Returns the number of bytes [`Encode::encode`] appends.
    fn encoded_len(&self) -> usize;

    /// Appends the encoded value to `out`.
    ///
    /// # Errors
    ///
    /// A value that cannot be represented (an attribute over its limit
    /// inside a nest, a string that breaks its policy) is refused with an
    /// [`EncodeError`]; what was appended so far may stay in `out`.
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

/// A value that can be read from a borrowed payload.
pub trait Decode<'a>: Sized {
    /// Decodes a value from all of `bytes`.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] whose offset counts from the start of `bytes`.
    fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError>;

    /// Decodes a value found `depth` nests down: the attribute decoders of
    /// derived types call this, not [`Decode::decode`], so that the depth
    /// limit holds through values whose payload holds attributes again (a
    /// derived struct used without `nested`). Derived structs override it
    /// to count one more level and stop past
    /// [`MAX_DEPTH`](crate::derive_support::MAX_DEPTH); the default has no
    /// nests to count and calls [`Decode::decode`].
    ///
    /// # Errors
    ///
    /// As [`Decode::decode`], and [`DecodeErrorKind::TooDeep`] from types
    /// that count depth.
    #[inline]
    fn decode_at_depth(bytes: &'a [u8], depth: usize) -> Result<Self, DecodeError> {
        let _ = depth;
        Self::decode(bytes)
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    #[inline]
    fn encoded_len(&self) -> usize {
        (**self).encoded_len()
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        (**self).encode(out)
    }
}

#[cold]
#[inline(never)]
fn wrong_length(what: &'static str, expected: usize, found: usize) -> DecodeError {
    DecodeError::new(
        DecodeErrorKind::WrongLength {
            what,
            expected,
            found,
        },
        0,
    )
}

/// Reads a fixed-size value that must fill `bytes` exactly.
#[inline]
fn exact<T: FromBytes>(what: &'static str, bytes: &[u8]) -> Result<T, DecodeError> {
    T::read_from_bytes(bytes)
        .map_err(|_| wrong_length(what, core::mem::size_of::<T>(), bytes.len()))
}

macro_rules! impl_int {
    ($($ty:ty),*) => {$(
        impl Encode for $ty {
            #[inline]
            fn encoded_len(&self) -> usize {
                core::mem::size_of::<$ty>()
            }

            #[inline]
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                out.extend_from_slice(&self.to_ne_bytes());
                Ok(())
            }
        }

        impl Decode<'_> for $ty {
            #[inline]
            fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
                exact(stringify!($ty), bytes)
            }
        }
    )*};
}

impl_int!(u8, u16, u32, u64, i8, i16, i32, i64);

macro_rules! impl_ordered {
    ($($ty:ident => $name:literal),*) => {$(
        impl<O: ByteOrder> Encode for $ty<O> {
            #[inline]
            fn encoded_len(&self) -> usize {
                core::mem::size_of::<Self>()
            }

            #[inline]
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                out.extend_from_slice(self.as_bytes());
                Ok(())
            }
        }

        impl<O: ByteOrder> Decode<'_> for $ty<O> {
            #[inline]
            fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
                exact($name, bytes)
            }
        }
    )*};
}

impl_ordered!(U16 => "u16", U32 => "u32", U64 => "u64", I16 => "i16", I32 => "i32", I64 => "i64");

/// A flag attribute: `true` is written as an empty attribute. Whether a
/// `false` flag is written at all is the caller's choice (the derive leaves
/// it out).
impl Encode for bool {
    #[inline]
    fn encoded_len(&self) -> usize {
        0
    }

    #[inline]
    fn encode(&self, _out: &mut Vec<u8>) -> Result<(), EncodeError> {
        Ok(())
    }
}

/// A present flag attribute is `true`, whatever its payload.
impl Decode<'_> for bool {
    #[inline]
    fn decode(_bytes: &[u8]) -> Result<Self, DecodeError> {
        Ok(true)
    }
}

impl Encode for [u8] {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.len()
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self);
        Ok(())
    }
}

impl<'a> Decode<'a> for &'a [u8] {
    #[inline]
    fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        Ok(bytes)
    }
}

impl Encode for Vec<u8> {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.len()
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self);
        Ok(())
    }
}

impl Decode<'_> for Vec<u8> {
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        Ok(bytes.to_vec())
    }
}

impl<const N: usize> Encode for [u8; N] {
    #[inline]
    fn encoded_len(&self) -> usize {
        N
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self);
        Ok(())
    }
}

impl<const N: usize> Decode<'_> for [u8; N] {
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        <[u8; N]>::try_from(bytes).map_err(|_| wrong_length("byte array", N, bytes.len()))
    }
}

/// Returns the bytes before the first NUL, or all of them.
#[inline]
#[must_use]
pub fn until_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    bytes.get(..end).unwrap_or(bytes)
}

impl Encode for str {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.len().saturating_add(1)
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.as_bytes().contains(&0) {
            return Err(EncodeError::Invalid {
                what: "string",
                reason: "contains a NUL byte",
            });
        }
        out.extend_from_slice(self.as_bytes());
        out.push(0);
        Ok(())
    }
}

impl<'a> Decode<'a> for &'a str {
    #[inline]
    fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        core::str::from_utf8(until_nul(bytes)).map_err(|e| {
            DecodeError::new(
                DecodeErrorKind::InvalidUtf8 {
                    valid_up_to: e.valid_up_to(),
                },
                0,
            )
        })
    }
}

impl Encode for String {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.as_str().encoded_len()
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.as_str().encode(out)
    }
}

impl Decode<'_> for String {
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        <&str>::decode(bytes).map(str::to_owned)
    }
}

impl Encode for CStr {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.to_bytes_with_nul().len()
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(self.to_bytes_with_nul());
        Ok(())
    }
}

impl<'a> Decode<'a> for &'a CStr {
    #[inline]
    fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        CStr::from_bytes_until_nul(bytes)
            .map_err(|_| DecodeError::new(DecodeErrorKind::MissingNul, bytes.len()))
    }
}

impl Encode for CString {
    #[inline]
    fn encoded_len(&self) -> usize {
        self.as_c_str().encoded_len()
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.as_c_str().encode(out)
    }
}

impl Decode<'_> for CString {
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        <&CStr>::decode(bytes).map(CStr::to_owned)
    }
}

impl Encode for Ipv4Addr {
    #[inline]
    fn encoded_len(&self) -> usize {
        4
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.octets());
        Ok(())
    }
}

impl Decode<'_> for Ipv4Addr {
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        exact::<[u8; 4]>("IPv4 address", bytes).map(Self::from)
    }
}

impl Encode for Ipv6Addr {
    #[inline]
    fn encoded_len(&self) -> usize {
        16
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.octets());
        Ok(())
    }
}

impl Decode<'_> for Ipv6Addr {
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        exact::<[u8; 16]>("IPv6 address", bytes).map(Self::from)
    }
}

impl Encode for IpAddr {
    #[inline]
    fn encoded_len(&self) -> usize {
        match self {
            Self::V4(a) => a.encoded_len(),
            Self::V6(a) => a.encoded_len(),
        }
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::V4(a) => a.encode(out),
            Self::V6(a) => a.encode(out),
        }
    }
}

/// Decodes by length: 4 bytes are IPv4, 16 bytes IPv6.
impl Decode<'_> for IpAddr {
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        match bytes.len() {
            4 => Ipv4Addr::decode(bytes).map(Self::V4),
            16 => Ipv6Addr::decode(bytes).map(Self::V6),
            _ => {
                let kind = DecodeErrorKind::Invalid {
                    what: "IP address",
                    reason: "not 4 or 16 bytes long",
                };
                Err(DecodeError::new(kind, 0))
            }
        }
    }
}

/// A 6-byte Ethernet hardware address, printed as `aa:bb:cc:dd:ee:ff`.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    FromBytes,
    IntoBytes,
    zerocopy::KnownLayout,
    zerocopy::Immutable,
    zerocopy::Unaligned,
)]
#[repr(transparent)]
pub struct MacAddr(pub [u8; 6]);

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Encode for MacAddr {
    #[inline]
    fn encoded_len(&self) -> usize {
        6
    }

    #[inline]
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

impl Decode<'_> for MacAddr {
    #[inline]
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        exact("MAC address", bytes)
    }
}

/// Reads a `zerocopy` struct from a payload that may be longer (the rest is
/// ignored) or shorter (the missing tail reads as zero) than the struct,
/// as kernel structs grow across versions. Used by [`pod_value!`].
///
/// [`pod_value!`]: crate::pod_value
#[inline]
#[must_use]
pub fn read_pod<T: FromBytes + IntoBytes>(bytes: &[u8]) -> T {
    if let Ok((value, _)) = T::read_from_prefix(bytes) {
        return value;
    }
    let mut value = T::new_zeroed();
    let dst = value.as_mut_bytes();
    let n = bytes.len().min(dst.len());
    if let (Some(dst), Some(src)) = (dst.get_mut(..n), bytes.get(..n)) {
        dst.copy_from_slice(src);
    }
    value
}

/// Implements [`Encode`] and [`Decode`] for `zerocopy` structs (which must
/// derive `FromBytes`, `IntoBytes` and `Immutable`), such as `ifinfomsg` or
/// `rtnl_link_stats64`.
///
/// Decoding takes a prefix of a longer payload and zero-extends a shorter
/// one, so a struct that grew in a newer kernel still reads.
///
/// ```
/// use netlink_core::{Decode, Encode};
/// use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
///
/// #[derive(Debug, PartialEq, FromBytes, IntoBytes, Immutable, KnownLayout)]
/// #[repr(C)]
/// struct Pair {
///     a: u32,
///     b: u32,
/// }
/// netlink_core::pod_value!(Pair);
///
/// assert_eq!(Pair::decode(&[1, 0, 0, 0]).unwrap(), Pair { a: 1, b: 0 });
/// assert_eq!(Pair { a: 1, b: 2 }.encoded_len(), 8);
/// ```
#[macro_export]
macro_rules! pod_value {
    ($($ty:ty),+ $(,)?) => {$(
        impl $crate::Encode for $ty {
            #[inline]
            fn encoded_len(&self) -> usize {
                ::core::mem::size_of::<$ty>()
            }

            #[inline]
            fn encode(
                &self,
                out: &mut ::std::vec::Vec<u8>,
            ) -> ::core::result::Result<(), $crate::EncodeError> {
                out.extend_from_slice($crate::__private::zerocopy::IntoBytes::as_bytes(self));
                ::core::result::Result::Ok(())
            }
        }

        impl<'__a> $crate::Decode<'__a> for $ty {
            #[inline]
            fn decode(bytes: &'__a [u8]) -> ::core::result::Result<Self, $crate::DecodeError> {
                ::core::result::Result::Ok($crate::value::read_pod::<$ty>(bytes))
            }
        }
    )+};
}

/// Implements [`Encode`] and [`Decode`] for `bitflags` types through their
/// bits type; unknown bits are kept.
///
/// ```
/// use netlink_core::{Decode, Encode};
///
/// bitflags::bitflags! {
///     #[derive(Debug, PartialEq)]
///     struct Mode: u32 {
///         const A = 1;
///         const _ = !0;
///     }
/// }
/// netlink_core::flags_value!(Mode);
///
/// let mut out = Vec::new();
/// Mode::from_bits_retain(0x11).encode(&mut out).unwrap();
/// assert_eq!(Mode::decode(&out).unwrap().bits(), 0x11);
/// ```
#[macro_export]
macro_rules! flags_value {
    ($($ty:ty),+ $(,)?) => {$(
        impl $crate::Encode for $ty {
            #[inline]
            fn encoded_len(&self) -> usize {
                $crate::Encode::encoded_len(&self.bits())
            }

            #[inline]
            fn encode(
                &self,
                out: &mut ::std::vec::Vec<u8>,
            ) -> ::core::result::Result<(), $crate::EncodeError> {
                $crate::Encode::encode(&self.bits(), out)
            }
        }

        impl<'__a> $crate::Decode<'__a> for $ty {
            #[inline]
            fn decode(bytes: &'__a [u8]) -> ::core::result::Result<Self, $crate::DecodeError> {
                $crate::Decode::decode(bytes).map(<$ty>::from_bits_retain)
            }
        }
    )+};
}

#[cfg(test)]
mod tests {
    use super::*;
    use zerocopy::BigEndian;

    fn enc<T: Encode + ?Sized>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        v.encode(&mut out).unwrap();
        assert_eq!(out.len(), v.encoded_len());
        out
    }

    #[test]
    fn integers_use_host_order_and_exact_length() {
        assert_eq!(enc(&0x0102_0304u32), 0x0102_0304u32.to_ne_bytes());
        assert_eq!(
            u32::decode(&0x0102_0304u32.to_ne_bytes()).unwrap(),
            0x0102_0304
        );
        let err = u32::decode(&[1, 2]).unwrap_err();
        assert_eq!(
            err.kind(),
            &DecodeErrorKind::WrongLength {
                what: "u32",
                expected: 4,
                found: 2
            }
        );
        assert!(u64::decode(&[0; 9]).is_err());
    }

    #[test]
    fn empty_payload_where_a_scalar_is_expected_is_a_length_error() {
        let err = u16::decode(&[]).unwrap_err();
        assert_eq!(
            err.kind(),
            &DecodeErrorKind::WrongLength {
                what: "u16",
                expected: 2,
                found: 0
            }
        );
    }

    #[test]
    fn big_endian_integers_use_network_order() {
        let v = U16::<BigEndian>::new(0x0102);
        assert_eq!(enc(&v), [1, 2]);
        assert_eq!(U32::<BigEndian>::decode(&[0, 0, 1, 0]).unwrap().get(), 256);
    }

    #[test]
    fn strings_are_written_with_one_nul() {
        assert_eq!(enc("eth0"), b"eth0\0");
        let mut out = Vec::new();
        assert!("a\0b".encode(&mut out).is_err());
    }

    #[test]
    fn string_without_nul_terminator_decodes_whole() {
        assert_eq!(<&str>::decode(b"lo").unwrap(), "lo");
    }

    #[test]
    fn string_with_several_trailing_nuls_stops_at_the_first() {
        assert_eq!(<&str>::decode(b"lo\0\0\0").unwrap(), "lo");
    }

    #[test]
    fn string_with_embedded_nul_stops_at_the_nul() {
        assert_eq!(<&str>::decode(b"ab\0cd\0").unwrap(), "ab");
    }

    #[test]
    fn invalid_utf8_is_a_typed_error() {
        let err = <&str>::decode(b"br\xff\xfe\0").unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::InvalidUtf8 { valid_up_to: 2 });
    }

    #[test]
    fn byte_names_that_are_not_utf8_round_trip_as_cstr() {
        let name = <&CStr>::decode(b"br\xff\xfe\0").unwrap();
        assert_eq!(name.to_bytes(), b"br\xff\xfe");
        assert_eq!(enc(name), b"br\xff\xfe\0");
        let err = <&CStr>::decode(b"br").unwrap_err();
        assert_eq!(err.kind(), &DecodeErrorKind::MissingNul);
    }

    #[test]
    fn addresses_round_trip() {
        let v4 = Ipv4Addr::new(192, 0, 2, 1);
        assert_eq!(enc(&v4), [192, 0, 2, 1]);
        assert_eq!(Ipv4Addr::decode(&[192, 0, 2, 1]).unwrap(), v4);
        assert_eq!(
            IpAddr::decode(&enc(&Ipv6Addr::LOCALHOST)).unwrap(),
            Ipv6Addr::LOCALHOST
        );
        assert!(IpAddr::decode(&[1, 2, 3]).is_err());
        let mac = MacAddr::decode(&[2, 0, 0, 0, 0, 0xab]).unwrap();
        assert_eq!(mac.to_string(), "02:00:00:00:00:ab");
    }

    #[derive(
        Debug, PartialEq, FromBytes, IntoBytes, zerocopy::Immutable, zerocopy::KnownLayout,
    )]
    #[repr(C)]
    struct Stats {
        rx: u64,
        tx: u64,
    }
    crate::pod_value!(Stats);

    #[test]
    fn struct_payloads_may_grow_or_shrink() {
        let full = enc(&Stats { rx: 1, tx: 2 });
        let mut longer = full.clone();
        longer.extend([9; 8]);
        assert_eq!(Stats::decode(&longer).unwrap(), Stats { rx: 1, tx: 2 });
        assert_eq!(Stats::decode(&full[..8]).unwrap(), Stats { rx: 1, tx: 0 });
    }
}
