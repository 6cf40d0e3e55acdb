//! The shape of the tree an HTML parser builds from a body, measured with html5ever's own tree
//! builder (the one inside the sanitizer), so that every way HTML nests (unclosed or self-closed
//! tags, implied ends, formatting elements re-opened, foster-parented table content) counts as a
//! browser would count it. Measured: the depth, the pieces built (the parser's work, and so the
//! sanitizer's), and an upper bound on the work of the sanitizer's HTML writer. The sink keeps
//! only parent links and text counts, not the tree, and the input is fed in small pieces so that
//! parsing stops soon after a limit is passed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, Attribute, QualName};

use super::limits::{RenderError, MAX_ESCAPE_WORK, MAX_NESTING, MAX_NODES};

/// Not attached to any parent.
const DETACHED: usize = usize::MAX;
/// Bytes fed to the parser between two looks at the limits.
const PIECE: usize = 4096;

/// What the parser holds of a node: its number and name (the name lives in the handle so that
/// the parser can read it while the sink changes the tree).
pub struct Handle {
    id: usize,
    name: QualName,
}

struct Node {
    /// The siblings this node is one of (`DETACHED` when it has no parent).
    siblings: usize,
    /// The siblings new children of this node join.
    children: usize,
    /// For a `<template>`: the node that holds its contents.
    contents: Option<Rc<Handle>>,
}

/// The children of one node, however often the parser moved them. Moving every child of one node
/// to another (which the parser does when it repairs misnested formatting) merges two sets, in
/// constant time whatever the number of children (a union-find: `link` leads to the set's root).
struct Siblings {
    link: usize,
    owner: usize,
    /// Bytes of text among these siblings, and how many of them the HTML writer escapes.
    text: u64,
    escaped: u64,
}

/// Nodes, sets of siblings, and the work counted so far.
#[derive(Default)]
struct Sink {
    nodes: RefCell<Vec<Node>>,
    sets: RefCell<Vec<Siblings>>,
    exceeded: Cell<Option<RenderError>>,
    built: Cell<usize>,
    escape_work: Cell<u64>,
}

fn nameless() -> QualName {
    QualName::new(None, ns!(), local_name!(""))
}

/// Bytes the HTML writer (html5ever's serializer, which the sanitizer's output goes through)
/// answers with a search to the next `<` or `>` (or `"` in an attribute) or the end of the
/// text: `&` and the first byte of U+0080 to U+00BF (`0xC2`, as in `©`, `«`, the no-break space).
fn escaped(text: &str) -> u64 {
    text.bytes().filter(|&b| b == b'&' || b == 0xC2).count() as u64
}

impl Sink {
    fn node(&self, name: QualName) -> Rc<Handle> {
        let mut nodes = self.nodes.borrow_mut();
        let mut sets = self.sets.borrow_mut();
        let id = nodes.len();
        let set = sets.len();
        sets.push(Siblings { link: set, owner: id, text: 0, escaped: 0 });
        nodes.push(Node { siblings: DETACHED, children: set, contents: None });
        Rc::new(Handle { id, name })
    }

    fn root(&self, mut set: usize) -> usize {
        let mut sets = self.sets.borrow_mut();
        while sets[set].link != set {
            let up = sets[sets[set].link].link;
            sets[set].link = up;
            set = up;
        }
        set
    }

    fn parent(&self, node: usize) -> Option<usize> {
        let set = self.nodes.borrow()[node].siblings;
        if set == DETACHED {
            return None;
        }
        let root = self.root(set);
        Some(self.sets.borrow()[root].owner)
    }

    /// Elements between `node` and the document, the root `<html>` not counted, walking at most
    /// one step past the limit.
    fn depth(&self, node: usize) -> usize {
        let mut steps = 0;
        let mut at = node;
        while let Some(parent) = self.parent(at) {
            steps += 1;
            if steps > MAX_NESTING + 2 {
                break;
            }
            at = parent;
        }
        steps.saturating_sub(1)
    }

    fn attach(&self, node: usize, set: usize) {
        self.nodes.borrow_mut()[node].siblings = set;
        if self.depth(node) > MAX_NESTING {
            self.exceeded.set(Some(RenderError::TooDeep));
        }
    }

    /// Counts one more piece the parser built (an element, a comment, a run of text).
    fn built(&self) {
        self.built.set(self.built.get() + 1);
        if self.built.get() > MAX_NODES {
            self.exceeded.set(Some(RenderError::TooManyNodes));
        }
    }

    fn escape_work(&self, added: u64) {
        self.escape_work.set(self.escape_work.get().saturating_add(added));
        if self.escape_work.get() > MAX_ESCAPE_WORK {
            self.exceeded.set(Some(RenderError::TooManyEscapes));
        }
    }

    /// Text added among siblings. The parser joins it to the text before it when that is the last
    /// sibling, so a text node is always within one set: the writer's work on the set's text nodes
    /// is at most (escaped bytes) x (bytes of text) of the whole set.
    fn text(&self, set: usize, text: &str) {
        self.built();
        let (added, added_escaped) = (text.len() as u64, escaped(text));
        let root = self.root(set);
        let work = {
            let mut sets = self.sets.borrow_mut();
            let set = &mut sets[root];
            let work = set.escaped * added + added_escaped * (set.text + added);
            set.text += added;
            set.escaped += added_escaped;
            work
        };
        self.escape_work(work);
    }

    fn attributes(&self, attrs: &[Attribute]) {
        for attr in attrs {
            self.escape_work(escaped(&attr.value) * attr.value.len() as u64);
        }
    }

    fn limit(&self) -> Option<RenderError> {
        self.exceeded.get()
    }
}

impl TreeSink for Sink {
    type Handle = Rc<Handle>;
    type Output = Self;
    type ElemName<'a> = &'a QualName;

    fn finish(self) -> Self {
        self
    }

    fn parse_error(&self, _msg: std::borrow::Cow<'static, str>) {}

    fn get_document(&self) -> Rc<Handle> {
        Rc::new(Handle { id: 0, name: nameless() })
    }

    fn elem_name<'a>(&'a self, target: &'a Rc<Handle>) -> &'a QualName {
        &target.name
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _flags: ElementFlags) -> Rc<Handle> {
        self.built();
        self.attributes(&attrs);
        self.node(name)
    }

    fn create_comment(&self, _text: StrTendril) -> Rc<Handle> {
        self.built();
        self.node(nameless())
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Rc<Handle> {
        self.built();
        self.node(nameless())
    }

    fn append(&self, parent: &Rc<Handle>, child: NodeOrText<Rc<Handle>>) {
        let set = self.nodes.borrow()[parent.id].children;
        match child {
            NodeOrText::AppendNode(child) => self.attach(child.id, set),
            NodeOrText::AppendText(text) => self.text(set, &text),
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &Rc<Handle>,
        prev_element: &Rc<Handle>,
        child: NodeOrText<Rc<Handle>>,
    ) {
        if self.parent(element.id).is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _name: StrTendril, _public_id: StrTendril, _system_id: StrTendril) {}

    fn get_template_contents(&self, target: &Rc<Handle>) -> Rc<Handle> {
        if let Some(contents) = self.nodes.borrow()[target.id].contents.clone() {
            return contents;
        }
        let contents = self.node(nameless());
        let set = self.nodes.borrow()[target.id].children;
        let mut nodes = self.nodes.borrow_mut();
        nodes[contents.id].siblings = set;
        nodes[target.id].contents = Some(contents.clone());
        contents
    }

    fn same_node(&self, x: &Rc<Handle>, y: &Rc<Handle>) -> bool {
        x.id == y.id
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Rc<Handle>, new_node: NodeOrText<Rc<Handle>>) {
        let set = self.nodes.borrow()[sibling.id].siblings;
        if set == DETACHED {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(node) => self.attach(node.id, set),
            NodeOrText::AppendText(text) => self.text(set, &text),
        }
    }

    fn add_attrs_if_missing(&self, _target: &Rc<Handle>, attrs: Vec<Attribute>) {
        self.attributes(&attrs);
    }

    fn remove_from_parent(&self, target: &Rc<Handle>) {
        self.nodes.borrow_mut()[target.id].siblings = DETACHED;
    }

    fn reparent_children(&self, node: &Rc<Handle>, new_parent: &Rc<Handle>) {
        let (moved, kept) = {
            let nodes = self.nodes.borrow();
            (self.root(nodes[node.id].children), self.root(nodes[new_parent.id].children))
        };
        let fresh = {
            let mut sets = self.sets.borrow_mut();
            let fresh = sets.len();
            sets.push(Siblings { link: fresh, owner: node.id, text: 0, escaped: 0 });
            fresh
        };
        self.nodes.borrow_mut()[node.id].children = fresh;
        if moved == kept {
            return;
        }
        // The moved text may now be joined to the new parent's: count the work of the two together.
        let work = {
            let mut sets = self.sets.borrow_mut();
            let (text, escaped) = (sets[moved].text, sets[moved].escaped);
            let work = escaped * sets[kept].text + sets[kept].escaped * text;
            sets[moved].link = kept;
            sets[kept].text += text;
            sets[kept].escaped += escaped;
            work
        };
        self.escape_work(work);
    }
}

/// Parses `html` as the sanitizer will (a fragment in a `<div>`), and fails at the first limit
/// passed. Children moved by a repair are only measured again when something is added under
/// them, so a last pass measures every node.
pub(super) fn check(html: &str) -> Result<(), RenderError> {
    let sink = Sink::default();
    // Node 0, the document.
    sink.node(nameless());
    let mut parser = html5ever::parse_fragment(
        sink,
        html5ever::ParseOpts::default(),
        QualName::new(None, ns!(html), local_name!("div")),
        vec![],
        false,
    );
    let mut rest = html;
    while !rest.is_empty() {
        let mut cut = rest.len().min(PIECE);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        parser.process(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
        if let Some(error) = parser.tokenizer.sink.sink.limit() {
            return Err(error);
        }
    }
    let sink = parser.finish();
    if let Some(error) = sink.limit() {
        return Err(error);
    }
    match deepest(&sink) > MAX_NESTING {
        true => Err(RenderError::TooDeep),
        false => Ok(()),
    }
}

/// The depth of the deepest node, each node's depth worked out once from its parent's.
fn deepest(sink: &Sink) -> usize {
    let count = sink.nodes.borrow().len();
    let parents: Vec<Option<usize>> = (0..count).map(|node| sink.parent(node)).collect();
    const UNKNOWN: usize = usize::MAX;
    let mut steps = vec![UNKNOWN; count];
    let mut path = Vec::new();
    for start in 0..count {
        let mut at = start;
        // Walk up to a node whose depth is known (or a root), then fill in the path down.
        let mut known = loop {
            if steps[at] != UNKNOWN {
                break steps[at];
            }
            path.push(at);
            match parents[at] {
                Some(parent) if path.len() <= count => at = parent,
                Some(_) => return usize::MAX,
                None => break 0,
            }
        };
        if parents[at].is_none() && steps[at] == UNKNOWN {
            // `at` is a root: it is the last node of the path, with no element above it.
            known = 0;
            path.pop();
            steps[at] = 0;
        }
        while let Some(node) = path.pop() {
            known += 1;
            steps[node] = known;
        }
    }
    steps.into_iter().max().unwrap_or(0).saturating_sub(1)
}
