const _ : () = {
# [automatically_derived] impl < 'a > :: netlink_core :: __private :: Nest < 'a > for Family < 'a > {
# [inline] fn content_len (& self) -> usize {
let __len : usize = :: netlink_core :: __private :: aligned (0usize . saturating_add (:: core :: mem :: size_of_val (& self . header))) ;
__len . saturating_add ({
let __field = & self . name ;
:: netlink_core :: __private :: attr_size (:: netlink_core :: __private :: Encode :: encoded_len (__field)) }) . saturating_add ({
let __field = & self . id ;
:: netlink_core :: __private :: attr_size (:: netlink_core :: __private :: Encode :: encoded_len (__field)) }) . saturating_add ({
let __field = & self . version ;
match __field {
:: core :: option :: Option :: Some (__v) => :: netlink_core :: __private :: attr_size (:: netlink_core :: __private :: Encode :: encoded_len (& :: netlink_core :: __private :: Be (* __v))) , :: core :: option :: Option :: None => 0 }
}) . saturating_add ({
let __field = & self . addrs ;
:: core :: iter :: Iterator :: fold (__field . iter () , 0usize , | __n , __v | __n . saturating_add (:: netlink_core :: __private :: attr_size (:: netlink_core :: __private :: Encode :: encoded_len (__v)))) }) . saturating_add ({
let __field = & self . up ;
if * __field {
:: netlink_core :: __private :: attr_size (0) }
else {
0 }
}) . saturating_add ({
let __field = & self . ops ;
if __field . is_empty () {
0 }
else {
:: netlink_core :: __private :: attr_size (:: core :: iter :: Iterator :: fold (__field . iter () , 0usize , | __n , __v | __n . saturating_add (:: netlink_core :: __private :: attr_size (:: netlink_core :: __private :: Nest :: content_len (__v))))) }
}) . saturating_add ({
let __field = & self . members ;
:: netlink_core :: __private :: Repeated :: fold_values (__field , 0usize , | __n , __v | __n . saturating_add (:: netlink_core :: __private :: attr_size (:: netlink_core :: __private :: Encode :: encoded_len (__v)))) }) . saturating_add (:: netlink_core :: __private :: attrs_len (& self . rest)) }
# [inline] fn encode_content (& self , __out : & mut :: std :: vec :: Vec < u8 > ,) -> :: core :: result :: Result < () , :: netlink_core :: __private :: EncodeError > {
let __start = __out . len () ;
:: netlink_core :: __private :: write_header (__out , & self . header) ;
:: netlink_core :: __private :: pad_from (__out , __start) ;
:: netlink_core :: __private :: LenPolicy {
what : "name" , exact : :: core :: option :: Option :: None , min : :: core :: option :: Option :: None , max : :: core :: option :: Option :: Some (16) }
. check_encode (:: netlink_core :: __private :: Encode :: encoded_len ((& self . name))) ? ;
:: netlink_core :: __private :: write_attr (__out , 2 , (& self . name)) ? ;
:: netlink_core :: __private :: write_attr (__out , 1 , (& self . id)) ? ;
if let :: core :: option :: Option :: Some (__v) = (& self . version) {
:: netlink_core :: __private :: check_range_encode (__v , 1 , 9 , "version") ? ;
:: netlink_core :: __private :: write_attr (__out , 3 , & :: netlink_core :: __private :: Be (* __v)) ? ;
}
for __v in (& self . addrs) {
:: netlink_core :: __private :: write_attr (__out , 4 , __v) ? ;
}
if * (& self . up) {
:: netlink_core :: __private :: write_flag (__out , 5) ? ;
}
if ! (& self . ops) . is_empty () {
:: netlink_core :: __private :: write_nest_with (__out , 6 , false , | __out | {
for (__i , __v) in :: core :: iter :: Iterator :: enumerate ((& self . ops) . iter ()) {
let __k = :: netlink_core :: __private :: index_kind (__i) ? ;
:: netlink_core :: __private :: write_nest (__out , __k , false , __v) ? ;
}
:: core :: result :: Result :: Ok (()) }) ? ;
}
:: netlink_core :: __private :: Repeated :: try_for_each_value ((& self . members) , | __v : & u32 | {
:: netlink_core :: __private :: write_attr (__out , 7 , __v) ? ;
:: core :: result :: Result :: Ok :: < () , :: netlink_core :: __private :: EncodeError > (()) }) ? ;
:: netlink_core :: __private :: encode_attrs (__out , & self . rest) ? ;
:: core :: result :: Result :: Ok (()) }
# [inline] fn decode_content (__bytes : & 'a [u8] , __depth : usize ,) -> :: core :: result :: Result < Self , :: netlink_core :: __private :: DecodeError > {
let mut __pos : usize = 0 ;
let __f_header = :: netlink_core :: __private :: read_header :: < GenlMsgHdr > (__bytes , & mut __pos , "header") ? ;
let mut __f_name : :: core :: option :: Option < & 'a str > = :: core :: option :: Option :: None ;
let mut __f_id : :: core :: option :: Option < u16 > = :: core :: option :: Option :: None ;
let mut __f_version : :: core :: option :: Option < u32 > = :: core :: option :: Option :: None ;
let mut __f_addrs : :: std :: vec :: Vec < u32 > = :: std :: vec :: Vec :: new () ;
let mut __f_up = false ;
let mut __f_ops : :: std :: vec :: Vec < Op > = :: std :: vec :: Vec :: new () ;
let mut __f_members = :: netlink_core :: __private :: RepeatedSpan :: new () ;
let mut __f_rest : :: std :: vec :: Vec < RawAttr < 'a > > = :: std :: vec :: Vec :: new () ;
let __attrs = :: netlink_core :: __private :: attrs_after (__bytes , __pos) ;
for __attr in __attrs {
let __attr = __attr ? ;
match __attr . kind () {
2 => {
__f_name = :: core :: option :: Option :: Some (:: netlink_core :: __private :: LenPolicy {
what : "name" , exact : :: core :: option :: Option :: None , min : :: core :: option :: Option :: None , max : :: core :: option :: Option :: Some (16) }
. check ((& __attr) . payload ()) . and_then (| __b | < & 'a str as :: netlink_core :: __private :: Decode < 'a >> :: decode_at_depth (__b , __depth)) . and_then (| __v | {
:: netlink_core :: __private :: LenPolicy {
what : "name" , exact : :: core :: option :: Option :: None , min : :: core :: option :: Option :: None , max : :: core :: option :: Option :: Some (16) }
. check_decoded (:: netlink_core :: __private :: Encode :: encoded_len (& __v)) . map (| () | __v) }) . map_err (| __e | __e . within ("name" , (& __attr) . payload_offset ())) ?) ;
}
1 => {
__f_id = :: core :: option :: Option :: Some (< u16 as :: netlink_core :: __private :: Decode < 'a >> :: decode_at_depth ((& __attr) . payload () , __depth) . map_err (| __e | __e . within ("id" , (& __attr) . payload_offset ())) ?) ;
}
3 => {
__f_version = :: core :: option :: Option :: Some (< :: netlink_core :: __private :: Be < u32 > as :: netlink_core :: __private :: Decode < 'a >> :: decode_at_depth ((& __attr) . payload () , __depth) . map (:: netlink_core :: __private :: Be :: into_inner) . and_then (| __v | :: netlink_core :: __private :: check_range (__v , 1 , 9)) . map_err (| __e | __e . within ("version" , (& __attr) . payload_offset ())) ?) ;
}
4 => {
__f_addrs . push (< u32 as :: netlink_core :: __private :: Decode < 'a >> :: decode_at_depth ((& __attr) . payload () , __depth) . map_err (| __e | __e . within ("addrs" , (& __attr) . payload_offset ())) ?) ;
}
5 => {
__f_up = true ;
}
6 => {
__f_ops = {
let mut __list = :: std :: vec :: Vec :: new () ;
for __entry in (& __attr) . nested () {
let __entry = __entry . map_err (| __e | __e . within ("ops" , 0)) ? ;
__list . push (:: netlink_core :: __private :: deeper (__depth) . and_then (| __d | < Op as :: netlink_core :: __private :: Nest < 'a >> :: decode_content (__entry . payload () , __d)) . map_err (| __e | __e . within ("ops" , __entry . payload_offset ())) ?) ;
}
__list }
;
}
7 => {
let _ : u32 = < u32 as :: netlink_core :: __private :: Decode < 'a >> :: decode_at_depth ((& __attr) . payload () , __depth) . map_err (| __e | __e . within ("members" , (& __attr) . payload_offset ())) ? ;
__f_members . add (& __attr) ;
}
_ => if let :: core :: option :: Option :: Some (__u) = < RawAttr < 'a > as :: netlink_core :: __private :: AttrEnum < 'a >> :: decode_attr (& __attr , __depth) ? {
__f_rest . push (__u) ;
}
}
}
:: core :: result :: Result :: Ok (Self {
header : __f_header , name : :: netlink_core :: __private :: required (__f_name , "name" , 2) ? , id : :: netlink_core :: __private :: required (__f_id , "id" , 1) ? , version : __f_version , addrs : __f_addrs , up : __f_up , ops : __f_ops , members : __f_members . finish :: < u32 > (__bytes , 7) , rest : __f_rest , }) }
}
# [automatically_derived] impl < 'a > :: netlink_core :: __private :: Encode for Family < 'a > {
# [inline] fn encoded_len (& self) -> usize {
< Self as :: netlink_core :: __private :: Nest < '_ >> :: content_len (self) }
# [inline] fn encode (& self , __out : & mut :: std :: vec :: Vec < u8 > ,) -> :: core :: result :: Result < () , :: netlink_core :: __private :: EncodeError > {
< Self as :: netlink_core :: __private :: Nest < '_ >> :: encode_content (self , __out) }
}
# [automatically_derived] impl < 'a > :: netlink_core :: __private :: Decode < 'a > for Family < 'a > {
# [inline] fn decode (__bytes : & 'a [u8]) -> :: core :: result :: Result < Self , :: netlink_core :: __private :: DecodeError > {
< Self as :: netlink_core :: __private :: Nest < 'a >> :: decode_content (__bytes , 0) }
# [inline] fn decode_at_depth (__bytes : & 'a [u8] , __depth : usize ,) -> :: core :: result :: Result < Self , :: netlink_core :: __private :: DecodeError > {
:: netlink_core :: __private :: deeper (__depth) . and_then (| __d | < Self as :: netlink_core :: __private :: Nest < 'a >> :: decode_content (__bytes , __d)) }
}
}
;