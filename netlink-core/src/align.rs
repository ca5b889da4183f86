//! Length and alignment arithmetic, mirroring the kernel's helpers.
//!
//! Netlink aligns both messages and attributes to four bytes. Each helper
//! names the C macro or inline function it mirrors. Functions that add to a
//! length return `None` on overflow instead of wrapping, so a hostile
//! `nlmsg_len` near `u32::MAX` can never wrap to a small value.

/// Alignment of messages, `NLMSG_ALIGNTO`.
pub const NLMSG_ALIGNTO: usize = 4;

/// Alignment of attributes, `NLA_ALIGNTO`.
pub const NLA_ALIGNTO: usize = 4;

/// Size of the message header, `NLMSG_HDRLEN`.
pub const NLMSG_HDRLEN: usize = 16;

/// Size of the attribute header, `NLA_HDRLEN`.
pub const NLA_HDRLEN: usize = 4;

/// Largest attribute payload: `nla_len` is a `u16` that counts the header.
pub const NLA_MAX_PAYLOAD: usize = u16::MAX as usize - NLA_HDRLEN;

/// Returns `len` rounded up to the next multiple of four, `NLMSG_ALIGN` and
/// `NLA_ALIGN`, or `None` if that overflows.
#[must_use]
pub const fn align(len: usize) -> Option<usize> {
    match len.checked_add(NLMSG_ALIGNTO - 1) {
        Some(v) => Some(v & !(NLMSG_ALIGNTO - 1)),
        None => None,
    }
}

/// Returns the number of padding bytes that follow `len` bytes to reach
/// the next multiple of four (`NLMSG_ALIGN(len) - len`, `nla_padlen`).
#[must_use]
pub const fn padding(len: usize) -> usize {
    len.wrapping_neg() & (NLMSG_ALIGNTO - 1)
}

/// Returns the `nlmsg_len` of a message with `payload` bytes,
/// `NLMSG_LENGTH`.
#[must_use]
pub const fn msg_length(payload: usize) -> Option<usize> {
    payload.checked_add(NLMSG_HDRLEN)
}

/// Returns the space a message with `payload` bytes takes with its
/// trailing padding, `NLMSG_SPACE`.
#[must_use]
pub const fn msg_space(payload: usize) -> Option<usize> {
    match msg_length(payload) {
        Some(len) => align(len),
        None => None,
    }
}

/// Returns the `nla_len` of an attribute with `payload` bytes,
/// `nla_attr_size`.
#[must_use]
pub const fn attr_length(payload: usize) -> Option<usize> {
    payload.checked_add(NLA_HDRLEN)
}

/// Returns the space an attribute with `payload` bytes takes with its
/// trailing padding, `nla_total_size`.
#[must_use]
pub const fn attr_space(payload: usize) -> Option<usize> {
    match attr_length(payload) {
        Some(len) => align(len),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_rounds_up_to_four() {
        let got: Vec<_> = (0..9).map(|n| align(n).unwrap()).collect();
        assert_eq!(got, [0, 4, 4, 4, 4, 8, 8, 8, 8]);
    }

    #[test]
    fn align_near_usize_max_is_none_not_a_wrap() {
        assert_eq!(align(usize::MAX), None);
        assert_eq!(align(usize::MAX - 2), None);
        assert_eq!(align(usize::MAX - 3), Some(usize::MAX - 3));
    }

    #[test]
    fn padding_complements_alignment() {
        for n in 0..64 {
            assert_eq!(n + padding(n), align(n).unwrap());
        }
        assert_eq!(padding(usize::MAX), 1);
    }

    #[test]
    fn message_and_attribute_sizes_match_the_kernel_macros() {
        assert_eq!(msg_length(0), Some(16));
        assert_eq!(msg_space(5), Some(24));
        assert_eq!(attr_length(5), Some(9));
        assert_eq!(attr_space(5), Some(12));
        assert_eq!(attr_space(usize::MAX - 3), None);
        assert_eq!(NLA_MAX_PAYLOAD, 65531);
    }
}
