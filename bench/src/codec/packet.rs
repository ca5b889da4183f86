//! `netlink-packet-generic` 0.5 over `netlink-packet-core` 0.9: the family
//! is a `GenlFamily` whose payload is a list of `Nla` values, as that
//! crate's own families are written.

use netlink_packet_core::{
    DecodeError, DefaultNla, Emitable, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage,
    NetlinkPayload, Nla, NlaBuffer, NlasIterator, Parseable, ParseableParametrized, emit_u16,
    emit_u32, emit_u64, parse_string, parse_u16, parse_u32, parse_u64,
};
use netlink_packet_generic::{GenlFamily, GenlHeader, GenlMessage};

use super::{CMD, FAMILY, Input, VERSION, Values, kind};
use crate::tally::Tally;

/// One attribute of the nest of four u16: its type and value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct QuadNla(u16, u16);

impl Nla for QuadNla {
    fn value_len(&self) -> usize {
        2
    }

    fn kind(&self) -> u16 {
        self.0
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        emit_u16(buffer, self.1).expect("u16 fits");
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SampleNla {
    Count(u32),
    Total(u64),
    Name(String),
    Blob(Vec<u8>),
    Quad(Vec<QuadNla>),
    Item(u32),
    Other(DefaultNla),
}

impl Nla for SampleNla {
    fn value_len(&self) -> usize {
        match self {
            Self::Count(_) | Self::Item(_) => 4,
            Self::Total(_) => 8,
            Self::Name(s) => s.len() + 1,
            Self::Blob(b) => b.len(),
            Self::Quad(q) => q.as_slice().buffer_len(),
            Self::Other(o) => o.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            Self::Count(_) => kind::COUNT,
            Self::Total(_) => kind::TOTAL,
            Self::Name(_) => kind::NAME,
            Self::Blob(_) => kind::BLOB,
            Self::Quad(_) => kind::QUAD,
            Self::Item(_) => kind::ITEM,
            Self::Other(o) => o.kind(),
        }
    }

    fn is_nested(&self) -> bool {
        matches!(self, Self::Quad(_))
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            Self::Count(v) | Self::Item(v) => emit_u32(buffer, *v).expect("u32 fits"),
            Self::Total(v) => emit_u64(buffer, *v).expect("u64 fits"),
            Self::Name(s) => {
                buffer[..s.len()].copy_from_slice(s.as_bytes());
                buffer[s.len()] = 0;
            }
            Self::Blob(b) => buffer.copy_from_slice(b),
            Self::Quad(q) => q.as_slice().emit(buffer),
            Self::Other(o) => o.emit_value(buffer),
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for SampleNla {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let payload = buf.value();
        Ok(match buf.kind() {
            kind::COUNT => Self::Count(parse_u32(payload)?),
            kind::TOTAL => Self::Total(parse_u64(payload)?),
            kind::NAME => Self::Name(parse_string(payload)?),
            kind::BLOB => Self::Blob(payload.to_vec()),
            kind::QUAD => {
                let mut quad = Vec::new();
                for nla in NlasIterator::new(payload) {
                    let nla = nla?;
                    quad.push(QuadNla(nla.kind(), parse_u16(nla.value())?));
                }
                Self::Quad(quad)
            }
            kind::ITEM => Self::Item(parse_u32(payload)?),
            _ => Self::Other(DefaultNla::parse(buf)?),
        })
    }
}

/// The family: its command's attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sample {
    nlas: Vec<SampleNla>,
}

impl GenlFamily for Sample {
    fn family_name() -> &'static str {
        "bench"
    }

    fn family_id(&self) -> u16 {
        FAMILY
    }

    fn command(&self) -> u8 {
        CMD
    }

    fn version(&self) -> u8 {
        VERSION
    }
}

impl Emitable for Sample {
    fn buffer_len(&self) -> usize {
        self.nlas.as_slice().buffer_len()
    }

    fn emit(&self, buffer: &mut [u8]) {
        self.nlas.as_slice().emit(buffer);
    }
}

impl ParseableParametrized<[u8], GenlHeader> for Sample {
    fn parse_with_param(buf: &[u8], _header: GenlHeader) -> Result<Self, DecodeError> {
        let nlas = NlasIterator::new(buf)
            .map(|nla| nla.and_then(|nla| SampleNla::parse(&nla)))
            .collect::<Result<_, _>>()?;
        Ok(Self { nlas })
    }
}

fn message(v: &Values<'_>) -> NetlinkMessage<GenlMessage<Sample>> {
    let mut nlas = vec![
        SampleNla::Count(v.count),
        SampleNla::Total(v.total),
        SampleNla::Name(v.name.to_owned()),
        SampleNla::Blob(v.blob.to_vec()),
        SampleNla::Quad((1u16..).zip(v.quad).map(|(k, q)| QuadNla(k, q)).collect()),
    ];
    nlas.extend(v.items.map(SampleNla::Item));
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST;
    header.sequence_number = v.seq;
    let payload = NetlinkPayload::from(GenlMessage::from_payload(Sample { nlas }));
    let mut msg = NetlinkMessage::new(header, payload);
    msg.finalize();
    msg
}

/// Appends messages `0..n` to `out`.
pub(super) fn encode(input: &Input, n: usize, out: &mut Vec<u8>) {
    for i in 0..n {
        let msg = message(&input.values(i));
        let start = out.len();
        out.resize(start + msg.buffer_len(), 0);
        msg.serialize(&mut out[start..]);
    }
}

fn read(msg: &NetlinkMessage<GenlMessage<Sample>>, tally: &mut Tally) {
    let NetlinkPayload::InnerMessage(genl) = &msg.payload else {
        panic!("not a generic netlink message: {msg:?}");
    };
    let mut v = Values {
        seq: msg.header.sequence_number,
        count: 0,
        total: 0,
        name: "",
        blob: &[0; 64],
        quad: [0; 4],
        items: [0; 3],
    };
    let mut items = 0;
    for nla in &genl.payload.nlas {
        match nla {
            SampleNla::Count(x) => v.count = *x,
            SampleNla::Total(x) => v.total = *x,
            SampleNla::Name(x) => v.name = x,
            SampleNla::Blob(x) => v.blob = x.as_slice().try_into().expect("64-byte blob"),
            SampleNla::Quad(q) => {
                for QuadNla(k, x) in q {
                    if let Some(slot) = v.quad.get_mut(usize::from(*k).wrapping_sub(1)) {
                        *slot = *x;
                    }
                }
            }
            SampleNla::Item(x) => {
                if let Some(slot) = v.items.get_mut(items) {
                    *slot = *x;
                    items += 1;
                }
            }
            SampleNla::Other(_) => {}
        }
    }
    v.tally(tally);
}

/// Decodes every message of `buf`.
pub(super) fn decode(buf: &[u8]) -> Tally {
    let mut tally = Tally::default();
    let mut at = 0;
    while at < buf.len() {
        let msg = NetlinkMessage::<GenlMessage<Sample>>::deserialize(&buf[at..])
            .expect("netlink-packet decode");
        read(&msg, &mut tally);
        at += (msg.header.length as usize).next_multiple_of(4);
    }
    tally
}
