//! The shape of the tree an HTML parser builds from a body, measured with html5ever's own tree
//! builder (the one inside the sanitizer), so that every way HTML nests (unclosed or self-closed
//! tags, implied ends, formatting elements re-opened, foster-parented table content) counts as a
//! browser would count it. The sink keeps only parent links, not the tree, and the input is fed in
//! small pieces so that parsing stops soon after a limit is passed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, Attribute, QualName};

use super::limits::{RenderError, MAX_ELEMENTS, MAX_NESTING};

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
    /// The child group this node belongs to (`DETACHED` when none).
    group: usize,
    /// The group new children of this node join.
    children: usize,
    /// For a `<template>`: the node that holds its contents.
    contents: Option<Rc<Handle>>,
}

/// Nodes and child groups. A group maps to the node that owns it: moving every child of one
/// node to another (which the parser does when it repairs misnested formatting) is one change
/// of owner, whatever the number of children.
#[derive(Default)]
struct Sink {
    nodes: RefCell<Vec<Node>>,
    owners: RefCell<Vec<usize>>,
    exceeded: Cell<Option<RenderError>>,
    elements: Cell<usize>,
}

fn nameless() -> QualName {
    QualName::new(None, ns!(), local_name!(""))
}

impl Sink {
    fn node(&self, name: QualName) -> Rc<Handle> {
        let mut nodes = self.nodes.borrow_mut();
        let mut owners = self.owners.borrow_mut();
        let id = nodes.len();
        owners.push(id);
        nodes.push(Node { group: DETACHED, children: owners.len() - 1, contents: None });
        Rc::new(Handle { id, name })
    }

    fn parent(&self, node: usize) -> Option<usize> {
        let group = self.nodes.borrow()[node].group;
        (group != DETACHED).then(|| self.owners.borrow()[group])
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

    fn attach(&self, node: usize, group: usize) {
        self.nodes.borrow_mut()[node].group = group;
        if self.depth(node) > MAX_NESTING {
            self.exceeded.set(Some(RenderError::TooDeep));
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

    fn create_element(&self, name: QualName, _attrs: Vec<Attribute>, _flags: ElementFlags) -> Rc<Handle> {
        self.elements.set(self.elements.get() + 1);
        if self.elements.get() > MAX_ELEMENTS {
            self.exceeded.set(Some(RenderError::TooManyElements));
        }
        self.node(name)
    }

    fn create_comment(&self, _text: StrTendril) -> Rc<Handle> {
        self.node(nameless())
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Rc<Handle> {
        self.node(nameless())
    }

    fn append(&self, parent: &Rc<Handle>, child: NodeOrText<Rc<Handle>>) {
        if let NodeOrText::AppendNode(child) = child {
            let group = self.nodes.borrow()[parent.id].children;
            self.attach(child.id, group);
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
        let group = self.nodes.borrow()[target.id].children;
        let mut nodes = self.nodes.borrow_mut();
        nodes[contents.id].group = group;
        nodes[target.id].contents = Some(contents.clone());
        contents
    }

    fn same_node(&self, x: &Rc<Handle>, y: &Rc<Handle>) -> bool {
        x.id == y.id
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Rc<Handle>, new_node: NodeOrText<Rc<Handle>>) {
        if let NodeOrText::AppendNode(node) = new_node {
            let group = self.nodes.borrow()[sibling.id].group;
            self.attach(node.id, group);
        }
    }

    fn add_attrs_if_missing(&self, _target: &Rc<Handle>, _attrs: Vec<Attribute>) {}

    fn remove_from_parent(&self, target: &Rc<Handle>) {
        self.nodes.borrow_mut()[target.id].group = DETACHED;
    }

    fn reparent_children(&self, node: &Rc<Handle>, new_parent: &Rc<Handle>) {
        let moved = self.nodes.borrow()[node.id].children;
        let fresh = {
            let mut owners = self.owners.borrow_mut();
            owners[moved] = new_parent.id;
            owners.push(node.id);
            owners.len() - 1
        };
        self.nodes.borrow_mut()[node.id].children = fresh;
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
