//! Inlining of small functions without heap values: a call to a function
//! that calls nothing (a leaf) becomes a copy of its blocks in the caller,
//! and so does a function's call to itself, as many levels deep as keep
//! the copies few (fib's body holds 31 copies of itself, four levels, and
//! calls the 32 below; a function calling itself four times, two levels;
//! the copies' deepest calls to the function stay calls), before
//! reference-count cleanup is inserted.
//!
//! Semantics are unchanged: the copy checks the recursion limit as the call
//! would have (`CheckDepth`: the depth the callee would have run at, without
//! changing it), calls made from the copy pass that deeper depth on (their
//! `frames`), its raises leave the caller exactly as a propagated exception
//! would, with the same message and location, and a normal return assigns
//! the value and a zero status; the caller's test of that status right
//! after the call becomes a jump.

use super::{
    BasicBlock, BlockId, Counter, FuncId, LocalId, Lowered, Operand, RtArg, RtFn, Rvalue,
    Statement, Terminator,
};

/// A callee larger than this many statements is not copied.
const MAX_STATEMENTS: usize = 48;
/// A callee with more blocks than this is not copied.
const MAX_BLOCKS: usize = 32;

/// A function whose body may be copied into callers.
#[derive(Clone)]
struct Inlinable {
    body: Lowered,
    /// It calls nothing: copied into every caller. Otherwise only into
    /// itself, `self_levels` deep.
    leaf: bool,
    /// How many levels of its calls to itself a function's body inlines.
    self_levels: u32,
}

/// The most copies of itself a recursive function's body may hold: it
/// inlines as many levels of its calls to itself (at most
/// [`MAX_SELF_LEVELS`]) as keep `1 + c + c^2 + ...` within this, for `c`
/// calls, and their statements within [`MAX_SELF_STATEMENTS`] (fib, with
/// two calls: four levels, 31 copies; four calls: two levels; more: one).
const MAX_SELF_COPIES: usize = 32;
/// The most statements the copies of a recursive function may add up to.
const MAX_SELF_STATEMENTS: usize = 1024;
/// The deepest a function's calls to itself are inlined.
const MAX_SELF_LEVELS: u32 = 4;

/// How many levels of its `calls` calls to itself a function of
/// `statements` statements inlines (at least one).
fn self_levels(calls: usize, statements: usize) -> u32 {
    let mut copies = 1;
    let mut level_copies = 1;
    let mut levels = 0;
    while levels < MAX_SELF_LEVELS {
        level_copies *= calls;
        copies += level_copies;
        if copies > MAX_SELF_COPIES || copies * statements > MAX_SELF_STATEMENTS {
            break;
        }
        levels += 1;
    }
    levels.max(1)
}

/// The bodies that may be copied into callers, by [`FuncId`].
pub(super) struct Inliner(Vec<Option<Inlinable>>);

impl Inliner {
    /// The inlinable functions of a module.
    pub(super) fn find(functions: &[Lowered]) -> Inliner {
        Inliner(
            functions
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let calls = |pick: &dyn Fn(FuncId) -> bool| {
                        f.blocks
                            .iter()
                            .flat_map(|b| &b.statements)
                            .filter(|s| matches!(s, Statement::Call { func, .. } if pick(*func)))
                            .count()
                    };
                    let self_calls = calls(&|g| g.0 as usize == i);
                    inlinable(f).then(|| Inlinable {
                        body: f.clone(),
                        leaf: calls(&|_| true) == 0,
                        self_levels: self_levels(self_calls, statements(f)),
                    })
                })
                .collect(),
        )
    }

    /// Replaces every call in `body` (the body of function `me`, if it is
    /// one) to a leaf, and its own calls to itself down to its
    /// `self_levels`, by a copy of the callee.
    pub(super) fn inline_into(&self, body: &mut Lowered, me: Option<FuncId>) {
        let mut b = 0;
        while b < body.blocks.len() {
            let call = body.blocks[b].statements.iter().position(|s| match s {
                Statement::Call { func, frames, .. } => self.get(*func).is_some_and(|callee| {
                    callee.leaf || (Some(*func) == me && *frames < callee.self_levels)
                }),
                _ => false,
            });
            if let Some(k) = call {
                splice(body, b, k, self);
            }
            b += 1;
        }
    }

    fn get(&self, f: FuncId) -> Option<&Inlinable> {
        self.0.get(f.0 as usize).and_then(Option::as_ref)
    }
}

/// A small function without heap values or module variables.
/// How many statements `f` has.
fn statements(f: &Lowered) -> usize {
    f.blocks.iter().map(|b| b.statements.len()).sum()
}

fn inlinable(f: &Lowered) -> bool {
    let statements = statements(f);
    let simple = |s: &Statement| match s {
        Statement::Runtime { func, .. } => *func != RtFn::Globals,
        _ => true,
    };
    f.locals.iter().all(|(_, ty)| !ty.is_heap())
        && super::returned_types(f.ret).iter().all(|t| !t.is_heap())
        && f.blocks.len() <= MAX_BLOCKS
        && statements <= MAX_STATEMENTS
        && f.blocks.iter().all(|b| b.statements.iter().all(simple))
}

/// Replaces the call that is statement `k` of block `b` by the callee's
/// blocks; what followed the call moves to a new continuation block.
fn splice(body: &mut Lowered, b: usize, k: usize, inliner: &Inliner) {
    let site_frames = match &body.blocks[b].statements[k] {
        Statement::Call { frames, .. } => *frames,
        _ => unreachable!("inline: statement {k} is a call"),
    };
    let map = Renumber {
        locals: body.locals.len() as u32,
        blocks: body.blocks.len() as u32 + 1,
        frames: site_frames + 1,
    };
    let block = &mut body.blocks[b];
    let cold = block.cold;
    let rest = block.statements.split_off(k + 1);
    let Some(Statement::Call {
        status,
        values,
        func,
        args,
        ..
    }) = block.statements.pop()
    else {
        unreachable!("inline: statement {k} is a call")
    };
    let callee = &inliner.get(func).expect("inline: an inlinable callee").body;
    let cont = BlockId(map.blocks - 1);
    for (p, a) in callee.params.iter().zip(args) {
        block
            .statements
            .push(Statement::Assign(map.local(*p), Rvalue::Use(a)));
    }
    let terminator = std::mem::replace(
        &mut block.terminator,
        Terminator::Goto(map.block(BlockId(0))),
    );
    body.locals.extend(
        callee
            .locals
            .iter()
            .map(|(name, ty)| (format!("{}.{name}", callee.name), *ty)),
    );
    // Only a normal return reaches the continuation (the copy's raises
    // leave the caller directly), so the status is known there: the
    // caller's test of it goes straight on.
    let terminator = match terminator {
        Terminator::Branch {
            cond: Operand::Local(c),
            otherwise,
            ..
        } if c == status && rest.is_empty() => Terminator::Goto(otherwise),
        t => t,
    };
    body.blocks.push(BasicBlock {
        statements: rest,
        terminator,
        cold,
    });
    body.nonneg
        .extend(callee.nonneg.iter().map(|l| map.local(*l)));
    body.counters.extend(callee.counters.iter().map(|(l, c)| {
        let range = Counter {
            start: map.operand(c.start),
            stop: map.operand(c.stop),
            step: map.operand(c.step),
        };
        (map.local(*l), range)
    }));
    for cb in &callee.blocks {
        let mut statements: Vec<Statement> =
            cb.statements.iter().map(|s| map.statement(s)).collect();
        let terminator = match &cb.terminator {
            Terminator::Return(returned) => {
                for (dest, v) in values.iter().zip(returned) {
                    statements.push(Statement::Assign(*dest, Rvalue::Use(map.operand(*v))));
                }
                statements.push(Statement::Assign(status, Rvalue::Use(Operand::Bool(false))));
                Terminator::Goto(cont)
            }
            t => map.terminator(t),
        };
        body.blocks.push(BasicBlock {
            statements,
            terminator,
            cold: cb.cold || cold,
        });
    }
}

/// Moves a callee's locals and blocks past the caller's, its frame
/// `frames` inlined calls deep.
struct Renumber {
    locals: u32,
    blocks: u32,
    frames: u32,
}

impl Renumber {
    fn local(&self, l: LocalId) -> LocalId {
        LocalId(l.0 + self.locals)
    }

    fn block(&self, b: BlockId) -> BlockId {
        BlockId(b.0 + self.blocks)
    }

    fn operand(&self, o: Operand) -> Operand {
        match o {
            Operand::Local(l) => Operand::Local(self.local(l)),
            c => c,
        }
    }

    fn rvalue(&self, r: &Rvalue) -> Rvalue {
        match r {
            Rvalue::Use(a) => Rvalue::Use(self.operand(*a)),
            Rvalue::Unary(op, a) => Rvalue::Unary(*op, self.operand(*a)),
            Rvalue::Binary(op, a, b) => Rvalue::Binary(*op, self.operand(*a), self.operand(*b)),
            Rvalue::Select(c, a, b) => {
                Rvalue::Select(self.operand(*c), self.operand(*a), self.operand(*b))
            }
            Rvalue::Pending => Rvalue::Pending,
            Rvalue::StrLit(s) => Rvalue::StrLit(s.clone()),
            Rvalue::Load { base, offset } => Rvalue::Load {
                base: self.operand(*base),
                offset: *offset,
            },
            Rvalue::LoadItem { data, index } => Rvalue::LoadItem {
                data: self.operand(*data),
                index: self.operand(*index),
            },
            Rvalue::LoadByte {
                base,
                offset,
                index,
            } => Rvalue::LoadByte {
                base: self.operand(*base),
                offset: *offset,
                index: self.operand(*index),
            },
            Rvalue::AsciiStr(b) => Rvalue::AsciiStr(self.operand(*b)),
        }
    }

    fn statement(&self, s: &Statement) -> Statement {
        match s {
            Statement::Assign(l, r) => Statement::Assign(self.local(*l), self.rvalue(r)),
            Statement::CheckedArith {
                value,
                overflow,
                op,
                a,
                b,
            } => Statement::CheckedArith {
                value: self.local(*value),
                overflow: self.local(*overflow),
                op: *op,
                a: self.operand(*a),
                b: self.operand(*b),
            },
            Statement::Call {
                status,
                values,
                func,
                args,
                frames,
            } => Statement::Call {
                status: self.local(*status),
                values: values.iter().map(|v| self.local(*v)).collect(),
                func: *func,
                args: args.iter().map(|a| self.operand(*a)).collect(),
                frames: frames + self.frames,
            },
            Statement::Runtime { dest, func, args } => Statement::Runtime {
                dest: dest.map(|d| self.local(d)),
                func: *func,
                args: args
                    .iter()
                    .map(|a| match a {
                        RtArg::Value(v) => RtArg::Value(self.operand(*v)),
                        other => other.clone(),
                    })
                    .collect(),
            },
            Statement::IncRef(a) => Statement::IncRef(self.operand(*a)),
            Statement::DecRef(l) => Statement::DecRef(self.local(*l)),
            Statement::ReleaseFrame => Statement::ReleaseFrame,
            Statement::Store {
                base,
                offset,
                value,
            } => Statement::Store {
                base: self.operand(*base),
                offset: *offset,
                value: self.operand(*value),
            },
            Statement::StoreItem { data, index, value } => Statement::StoreItem {
                data: self.operand(*data),
                index: self.operand(*index),
                value: self.operand(*value),
            },
            Statement::StoreByte {
                base,
                offset,
                index,
                value,
            } => Statement::StoreByte {
                base: self.operand(*base),
                offset: *offset,
                index: self.operand(*index),
                value: self.operand(*value),
            },
            Statement::EnterFrame { too_deep } => Statement::CheckDepth {
                too_deep: self.local(*too_deep),
                frames: self.frames,
            },
            Statement::CheckDepth { too_deep, frames } => Statement::CheckDepth {
                too_deep: self.local(*too_deep),
                frames: frames + self.frames,
            },
        }
    }

    fn terminator(&self, t: &Terminator) -> Terminator {
        match t {
            Terminator::Goto(b) => Terminator::Goto(self.block(*b)),
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => Terminator::Branch {
                cond: self.operand(*cond),
                then: self.block(*then),
                otherwise: self.block(*otherwise),
            },
            Terminator::Return(values) => {
                Terminator::Return(values.iter().map(|v| self.operand(*v)).collect())
            }
            Terminator::Raise {
                kind,
                message,
                span,
            } => Terminator::Raise {
                kind: *kind,
                message: message.clone(),
                span: *span,
            },
            Terminator::Propagate => Terminator::Propagate,
        }
    }
}
