//! Releases at returns narrowed to what the frame may still hold. Cleanup
//! ends every way out with `ReleaseFrame`, a runtime call that looks at
//! each of the frame's locals; at most returns, most of them are null (a
//! statement's temporaries are released as it ends, and the returned
//! reference has left the frame). A forward pass finds the frame locals
//! that may hold a reference where each return releases the frame: none,
//! and the release goes; a few, and it becomes their `DecRef`s, inline.
//! Raising paths (cold) keep the call.

use super::{BasicBlock, LocalId, Operand, Rvalue, Statement, Terminator};
use std::collections::HashMap;

/// A return releases at most this many locals inline; more, and it keeps
/// the runtime call.
const INLINE_RELEASES: usize = 3;

/// Narrows the `ReleaseFrame` before each `Return` in `blocks` to the
/// locals of `frame` that may hold a reference there. `owned_params` hold
/// references on entry (parameters the body writes); every other frame
/// local starts null.
pub(super) fn narrow_return_releases(
    blocks: &mut [BasicBlock],
    frame: &[LocalId],
    owned_params: &[LocalId],
) {
    if blocks.is_empty() {
        return;
    }
    let index: HashMap<LocalId, usize> = frame.iter().enumerate().map(|(i, l)| (*l, i)).collect();
    let mut entry = vec![vec![false; frame.len()]; blocks.len()];
    for p in owned_params {
        if let Some(&i) = index.get(p) {
            entry[0][i] = true;
        }
    }
    // Forward to a fixed point: a local may hold a reference at a block's
    // entry if it may at the end of any predecessor.
    let mut seen = vec![false; blocks.len()];
    seen[0] = true;
    let mut work = vec![0usize];
    while let Some(b) = work.pop() {
        let mut state = entry[b].clone();
        for s in &blocks[b].statements {
            step(&mut state, s, &index);
        }
        for succ in blocks[b].terminator.successors() {
            let succ = succ.0 as usize;
            let mut grew = !seen[succ];
            seen[succ] = true;
            for (held, now) in entry[succ].iter_mut().zip(&state) {
                if *now && !*held {
                    *held = true;
                    grew = true;
                }
            }
            if grew {
                work.push(succ);
            }
        }
    }
    for (b, block) in blocks.iter_mut().enumerate() {
        if !seen[b] || !matches!(block.terminator, Terminator::Return(_)) {
            continue;
        }
        let Some(Statement::ReleaseFrame) = block.statements.last() else {
            continue;
        };
        let mut state = entry[b].clone();
        let last = block.statements.len() - 1;
        for s in &block.statements[..last] {
            step(&mut state, s, &index);
        }
        let held: Vec<LocalId> = frame
            .iter()
            .zip(&state)
            .filter(|(_, held)| **held)
            .map(|(l, _)| *l)
            .collect();
        if held.len() <= INLINE_RELEASES {
            block
                .statements
                .splice(last.., held.into_iter().map(Statement::DecRef));
        }
    }
}

/// How `s` changes which frame locals may hold a reference: set to null
/// or released, none; assigned anything else, maybe.
fn step(state: &mut [bool], s: &Statement, index: &HashMap<LocalId, usize>) {
    let nulled = match s {
        Statement::Assign(l, Rvalue::Use(Operand::Int(0))) | Statement::DecRef(l) => Some(*l),
        _ => None,
    };
    for l in s.assigned() {
        if let Some(&i) = index.get(&l) {
            state[i] = nulled != Some(l);
        }
    }
}
