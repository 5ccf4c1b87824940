//! The runtime functions compiled code calls: one table giving each its C
//! symbol, its parameters and result at the machine level, and whether it can
//! leave an exception pending. `mir` names them, `codegen` declares them from
//! their signatures, `run` resolves them for the JIT. The layouts they work
//! on are in `docs/runtime-abi.md`.

/// How one parameter is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// The per-thread context pointer.
    Ctx,
    /// A source position: file pointer, file length, `line << 32 | col`.
    Site,
    /// Any value as a 64-bit word (floats by their bits, bools as 0/1).
    Word,
    /// An `i64`.
    I64,
    /// An `f64`.
    F64,
    /// A `bool` as `u8`.
    U8,
    /// An `i32`.
    I32,
    /// The address of a static type descriptor.
    Desc,
    /// A string in read-only data as pointer and length.
    Bytes,
}

/// What a runtime function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// Nothing.
    Void,
    /// A value as a 64-bit word (converted to the destination's type).
    Word,
    /// An `i64`.
    I64,
    /// An `f64`.
    F64,
    /// A `u8` bool.
    U8,
    /// An `i32`.
    I32,
}

macro_rules! runtime_functions {
    ($( $variant:ident = $sym:ident ( $($p:ident),* ) -> $r:ident $( [$raises:ident] )? ; )*) => {
        /// A runtime function compiled code may call.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RtFn {
            $(
                #[doc = concat!("`", stringify!($sym), "`")]
                $variant,
            )*
        }

        impl RtFn {
            /// Every runtime function.
            pub const ALL: &'static [RtFn] = &[$(RtFn::$variant,)*];

            /// The runtime's C symbol.
            pub fn name(self) -> &'static str {
                match self { $(RtFn::$variant => stringify!($sym),)* }
            }

            /// Parameter kinds, in order.
            pub fn params(self) -> &'static [Param] {
                match self { $(RtFn::$variant => &[$(Param::$p),*],)* }
            }

            /// Result kind.
            pub fn ret(self) -> Ret {
                match self { $(RtFn::$variant => Ret::$r,)* }
            }

            /// Whether the call may leave an exception pending.
            pub fn may_raise(self) -> bool {
                match self { $(RtFn::$variant => runtime_functions!(@raises $($raises)?),)* }
            }

            /// The function's address in this process (for the JIT).
            pub fn address(self) -> *const u8 {
                match self { $(RtFn::$variant => roast_runtime::$sym as *const u8,)* }
            }
        }
    };
    (@raises raises) => { true };
    (@raises) => { false };
}

runtime_functions! {
    Raise = roast_rt_raise(Ctx, I32, Bytes, Site) -> Void;
    RaiseStr = roast_rt_raise_str(Ctx, I32, Word, Site) -> Void;
    Globals = roast_rt_globals(Ctx, Bytes) -> Word;
    PrintStr = roast_rt_print_str(Bytes) -> Void;
    PrintInt = roast_rt_print_int(I64) -> Void;
    PrintFloat = roast_rt_print_float(F64) -> Void;
    PrintBool = roast_rt_print_bool(U8) -> Void;
    FloatFloorDiv = roast_rt_float_floordiv(F64, F64) -> F64;
    FloatMod = roast_rt_float_mod(F64, F64) -> F64;
    FloatDivmod = roast_rt_float_divmod(Ctx, F64, F64, Site) -> F64 [raises];
    IntTrueDiv = roast_rt_int_truediv(I64, I64) -> F64;
    IntFloatCmp = roast_rt_int_float_cmp(I64, F64) -> I32;
    IntPow = roast_rt_int_pow(Ctx, I64, I64, Site) -> I64 [raises];
    FloatPow = roast_rt_float_pow(Ctx, F64, F64, Site) -> F64 [raises];
    FloatToInt = roast_rt_float_to_int(Ctx, F64, Site) -> I64 [raises];
    MathUnary = roast_rt_math(Ctx, I64, F64, Site) -> F64 [raises];
    MathBinary = roast_rt_math2(Ctx, I64, F64, F64, Site) -> F64 [raises];
    Sin = roast_rt_sin(F64) -> F64;
    Cos = roast_rt_cos(F64) -> F64;
    Tan = roast_rt_tan(F64) -> F64;
    Atan = roast_rt_atan(F64) -> F64;
    Exp = roast_rt_exp(F64) -> F64;
    Log = roast_rt_log(F64) -> F64;
    FloatRound = roast_rt_float_round(Ctx, F64, I64, Site) -> F64 [raises];
    FloatRoundInt = roast_rt_float_round_int(Ctx, F64, Site) -> I64 [raises];
    IntRound = roast_rt_int_round(Ctx, I64, I64, Site) -> I64 [raises];

    IncRef = roast_rt_incref(Word) -> Void;
    DecRef = roast_rt_decref(Word) -> Void;
    ReleaseFrame = roast_rt_release_frame(Word, I64) -> Void;
    BoxNew = roast_rt_box_new(Desc, Word) -> Word;
    Eq = roast_rt_eq(Word, Word, Desc) -> U8;
    Lt = roast_rt_lt(Word, Word, Desc) -> U8;
    Le = roast_rt_le(Word, Word, Desc) -> U8;
    Repr = roast_rt_repr(Word, Desc) -> Word;
    Str = roast_rt_str(Word, Desc) -> Word;
    Format = roast_rt_format(Ctx, Word, Desc, Word, Site) -> Word [raises];
    FormatPacked = roast_rt_format_packed(Ctx, Word, Desc, I64, Site) -> Word [raises];
    PrintObj = roast_rt_print_obj(Word, Desc) -> Void;
    TupleNew = roast_rt_tuple_new(Desc) -> Word;

    StrConcat = roast_rt_str_concat(Word, Word) -> Word;
    StrBuilder = roast_rt_str_builder(I64) -> Word;
    StrAppendStr = roast_rt_str_append_str(Word, Word, Desc) -> Word;
    StrAppendFormat = roast_rt_str_append_format(Ctx, Word, Word, Desc, Word, Site) -> Word [raises];
    StrAppendPacked = roast_rt_str_append_packed(Ctx, Word, Word, Desc, I64, Site) -> Word [raises];
    StrIadd = roast_rt_str_iadd(Word, Word) -> Word;
    StrRepeat = roast_rt_str_repeat(Ctx, Word, I64, Site) -> Word [raises];
    StrGetItem = roast_rt_str_getitem(Ctx, Word, I64, Site) -> Word [raises];
    StrOrdAt = roast_rt_str_ord_at(Ctx, Word, I64, Site) -> I64 [raises];
    StrSlice = roast_rt_str_slice(Ctx, Word, I64, I64, I64, I64, Site) -> Word [raises];
    StrContains = roast_rt_str_contains(Word, Word) -> U8;
    StrPalindrome = roast_rt_str_palindrome(Word) -> U8;
    StrFind = roast_rt_str_find(Word, Word, I64, I64, I64) -> I64;
    StrRfind = roast_rt_str_rfind(Word, Word, I64, I64, I64) -> I64;
    StrIndex = roast_rt_str_index(Ctx, Word, Word, I64, I64, I64, Site) -> I64 [raises];
    StrCount = roast_rt_str_count(Word, Word, I64, I64, I64) -> I64;
    StrStartswith = roast_rt_str_startswith(Word, Word, I64, I64, I64) -> U8;
    StrEndswith = roast_rt_str_endswith(Word, Word, I64, I64, I64) -> U8;
    StrUpper = roast_rt_str_upper(Word) -> Word;
    StrLower = roast_rt_str_lower(Word) -> Word;
    StrCapitalize = roast_rt_str_capitalize(Word) -> Word;
    StrTitle = roast_rt_str_title(Word) -> Word;
    StrStrip = roast_rt_str_strip(Word, Word) -> Word;
    StrLstrip = roast_rt_str_lstrip(Word, Word) -> Word;
    StrRstrip = roast_rt_str_rstrip(Word, Word) -> Word;
    StrSplit = roast_rt_str_split(Ctx, Word, Word, I64, Desc, Site) -> Word [raises];
    StrRsplit = roast_rt_str_rsplit(Ctx, Word, Word, I64, Desc, Site) -> Word [raises];
    StrSplitlines = roast_rt_str_splitlines(Word, Desc) -> Word;
    StrWordStart = roast_rt_str_word_start(Word, I64) -> I64;
    StrWordAt = roast_rt_str_word_at(Word, I64) -> Word;
    StrCharAt = roast_rt_str_char_at(Word, I64) -> Word;
    StrJoin = roast_rt_str_join(Word, Word) -> Word;
    StrFormat = roast_rt_str_format(Ctx, Word, Word, Desc, Site) -> Word [raises];
    StrReplace = roast_rt_str_replace(Word, Word, Word, I64) -> Word;
    StrIsdigit = roast_rt_str_isdigit(Word) -> U8;
    StrIsalpha = roast_rt_str_isalpha(Word) -> U8;
    StrIsspace = roast_rt_str_isspace(Word) -> U8;
    StrIsalnum = roast_rt_str_isalnum(Word) -> U8;
    StrIsupper = roast_rt_str_isupper(Word) -> U8;
    StrIslower = roast_rt_str_islower(Word) -> U8;
    StrIsdecimal = roast_rt_str_isdecimal(Word) -> U8;
    StrIsnumeric = roast_rt_str_isnumeric(Word) -> U8;
    StrZfill = roast_rt_str_zfill(Ctx, Word, I64, Site) -> Word [raises];
    StrLjust = roast_rt_str_ljust(Ctx, Word, I64, Word, Site) -> Word [raises];
    StrRjust = roast_rt_str_rjust(Ctx, Word, I64, Word, Site) -> Word [raises];
    StrCenter = roast_rt_str_center(Ctx, Word, I64, Word, Site) -> Word [raises];
    IntParse = roast_rt_int_parse(Ctx, Word, Site) -> I64 [raises];
    FloatParse = roast_rt_float_parse(Ctx, Word, Site) -> F64 [raises];
    Ord = roast_rt_ord(Ctx, Word, Site) -> I64 [raises];
    Chr = roast_rt_chr(Ctx, I64, Site) -> Word [raises];

    ListNew = roast_rt_list_new(Desc, I64) -> Word;
    ListAppend = roast_rt_list_append(Word, Word) -> Void;
    ListReserve = roast_rt_list_reserve(Word, I64) -> Void;
    ListGetItem = roast_rt_list_getitem(Ctx, Word, I64, Site) -> Word [raises];
    ListSetItem = roast_rt_list_setitem(Ctx, Word, I64, Word, Site) -> Void [raises];
    ListDelItem = roast_rt_list_delitem(Ctx, Word, I64, Site) -> Void [raises];
    ListSlice = roast_rt_list_slice(Ctx, Word, I64, I64, I64, I64, Site) -> Word [raises];
    ListConcat = roast_rt_list_concat(Word, Word) -> Word;
    ListRepeat = roast_rt_list_repeat(Ctx, Word, I64, Site) -> Word [raises];
    ListFill = roast_rt_list_fill(Ctx, Desc, Word, I64, Site) -> Word [raises];
    ListExtendFill = roast_rt_list_extend_fill(Ctx, Word, Word, I64, Site) -> Void [raises];
    ListExtend = roast_rt_list_extend(Word, Word) -> Void;
    ListExtendSlice = roast_rt_list_extend_slice(Ctx, Word, Word, I64, I64, I64, I64, Site) -> Void [raises];
    RangeLen = roast_rt_range_len(Ctx, I64, I64, I64, Site) -> I64 [raises];
    RangeContains = roast_rt_range_contains(Ctx, I64, I64, I64, I64, Site) -> U8 [raises];
    IntMath = roast_rt_int_math(Ctx, I64, I64, I64, Site) -> I64 [raises];
    PowMod = roast_rt_pow_mod(Ctx, I64, I64, I64, Site) -> I64 [raises];
    IntRadix = roast_rt_int_radix(I64, I64) -> Word;
    IntParseBase = roast_rt_int_parse_base(Ctx, Word, I64, Site) -> I64 [raises];
    StrPartition = roast_rt_str_partition(Ctx, Word, Word, U8, Desc, Site) -> Word [raises];
    StrRemoveAffix = roast_rt_str_remove_affix(Word, Word, U8) -> Word;
    ListSetSlice = roast_rt_list_set_slice(Ctx, Word, I64, I64, I64, I64, Word, Site) -> Void [raises];
    ListFillSlice = roast_rt_list_fill_slice(Ctx, Word, I64, I64, I64, I64, Word, I64, Site) -> Void [raises];
    SliceLen = roast_rt_slice_len(Ctx, I64, I64, I64, I64, I64, Site) -> I64 [raises];
    ListDelSlice = roast_rt_list_del_slice(Ctx, Word, I64, I64, I64, I64, Site) -> Void [raises];
    ListContains = roast_rt_list_contains(Word, Word) -> U8;
    ListIndex = roast_rt_list_index(Ctx, Word, Word, Site) -> I64 [raises];
    ListCount = roast_rt_list_count(Word, Word) -> I64;
    ListRemove = roast_rt_list_remove(Ctx, Word, Word, Site) -> Void [raises];
    ListPop = roast_rt_list_pop(Ctx, Word, I64, U8, Site) -> Word [raises];
    ListInsert = roast_rt_list_insert(Word, I64, Word) -> Void;
    ListReverse = roast_rt_list_reverse(Word) -> Void;
    ListCopy = roast_rt_list_copy(Word) -> Word;
    ListClear = roast_rt_list_clear(Word) -> Void;
    ListSort = roast_rt_list_sort(Ctx, Word, Word, U8, Site) -> Void [raises];
    ListSorted = roast_rt_list_sorted(Word, Word, U8) -> Word;
    ListMinMax = roast_rt_list_minmax(Ctx, Word, U8, Site) -> Word [raises];
    ListMinMaxBy = roast_rt_list_minmax_by(Ctx, Word, Word, U8, Site) -> Word [raises];
    UnpackCheck = roast_rt_unpack_check(Ctx, I64, I64, Site) -> Void [raises];
    ListSumInt = roast_rt_list_sum_int(Ctx, Word, I64, Site) -> I64 [raises];
    ListSumFloat = roast_rt_list_sum_float(Word, F64) -> F64;
    ListSumFloatNonEmpty = roast_rt_list_sum_float_nonempty(Ctx, Word, F64, Site) -> F64 [raises];
    ListFromStr = roast_rt_list_from_str(Word, Desc) -> Word;

    DictNew = roast_rt_dict_new(Desc) -> Word;
    DictSetItem = roast_rt_dict_setitem(Word, Word, Word) -> Void;
    DictGetItem = roast_rt_dict_getitem(Ctx, Word, Word, Site) -> Word [raises];
    DictGet = roast_rt_dict_get(Word, Word, Word) -> Word;
    DictSlot = roast_rt_dict_slot(Word, Word) -> Word;
    DictContains = roast_rt_dict_contains(Word, Word) -> U8;
    DictContainsItem = roast_rt_dict_contains_item(Word, Word) -> U8;
    DictDelItem = roast_rt_dict_delitem(Ctx, Word, Word, Site) -> Void [raises];
    DictPop = roast_rt_dict_pop(Ctx, Word, Word, Site) -> Word [raises];
    DictPopDefault = roast_rt_dict_pop_default(Word, Word, Word) -> Word;
    DictSetDefault = roast_rt_dict_setdefault(Word, Word, Word) -> Word;
    DictKeys = roast_rt_dict_keys(Word, Desc) -> Word;
    DictValues = roast_rt_dict_values(Word, Desc) -> Word;
    DictItems = roast_rt_dict_items(Word, Desc) -> Word;
    DictNext = roast_rt_dict_next(Word, I64) -> I64;
    DictKeyAt = roast_rt_dict_key_at(Word, I64) -> Word;
    DictValueAt = roast_rt_dict_value_at(Word, I64) -> Word;
    DictCopy = roast_rt_dict_copy(Word) -> Word;
    DictClear = roast_rt_dict_clear(Word) -> Void;
    DictUpdate = roast_rt_dict_update(Word, Word) -> Void;
    DictPopItem = roast_rt_dict_popitem(Ctx, Word, Desc, Site) -> Word [raises];
}

impl RtFn {
    /// Whether the function leaves every object that exists before the
    /// call as it was (it may make new ones, and read, print or compare)
    /// and runs no Roast code: a loop calling only such functions keeps
    /// its lists' lengths and item buffers. Functions not named here are
    /// taken to change objects.
    pub fn keeps_objects(self) -> bool {
        use RtFn::*;
        matches!(
            self,
            PrintStr
                | PrintInt
                | PrintFloat
                | PrintBool
                | PrintObj
                | FloatFloorDiv
                | FloatMod
                | FloatDivmod
                | IntTrueDiv
                | IntFloatCmp
                | IntPow
                | FloatPow
                | FloatToInt
                | MathUnary
                | MathBinary
                | Sin
                | Cos
                | Tan
                | Atan
                | Exp
                | Log
                | FloatRound
                | FloatRoundInt
                | IntRound
                | BoxNew
                | Eq
                | Lt
                | Le
                | Repr
                | Str
                | TupleNew
                | StrConcat
                | StrRepeat
                | StrGetItem
                | StrOrdAt
                | StrSlice
                | StrContains
                | StrFind
                | StrRfind
                | StrCount
                | StrStartswith
                | StrEndswith
                | StrUpper
                | StrLower
                | StrStrip
                | StrLstrip
                | StrRstrip
                | StrReplace
                | StrIsdigit
                | StrIsalpha
                | StrIsspace
                | StrIsalnum
                | StrIsupper
                | StrIslower
                | Ord
                | Chr
                | ListNew
                | ListSlice
                | ListConcat
                | ListRepeat
                | ListFill
                | ListContains
                | ListCount
                | ListCopy
                | ListSumInt
                | ListSumFloat
                | RangeLen
                | RangeContains
                | SliceLen
                | IntMath
                | PowMod
                | IntRadix
                | IntParseBase
                | StrPartition
                | StrRemoveAffix
        )
    }
}
