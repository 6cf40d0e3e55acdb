//! A DOM as html5ever's tree builder makes it, parsed in the two places a body lands: as the
//! `innerHTML` of a `<div>` (a client inserts it) and inside the `<body>` of a whole page (a server
//! renders it into a template). Nothing here judges; `super` does.

use std::cell::RefCell;
use std::rc::Rc;

use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::serialize::{Serialize, SerializeOpts, Serializer, TraversalScope};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, Attribute, QualName};

use super::{Element, Namespace};

/// What a page around the markup holds before it: the markup is what follows `<body>`.
const PAGE: &str = "<!DOCTYPE html><html><head><title>Warta</title></head><body>";

/// What the parser holds of a node: its index, and its name so that the parser can read it.
pub(super) struct Handle {
    id: usize,
    name: QualName,
}

enum Data {
    Document,
    Element { name: QualName, attributes: Vec<Attribute>, template: Option<usize>, integration_point: bool },
    Text(String),
    Comment(String),
}

struct Node {
    parent: Option<usize>,
    children: Vec<usize>,
    data: Data,
}

/// A whole DOM as the tree builder makes it; node 0 is the document.
pub(super) struct Tree {
    nodes: RefCell<Vec<Node>>,
    /// Parsed as a whole page rather than as a `<div>`'s children.
    page: bool,
}

fn nameless() -> QualName {
    QualName::new(None, ns!(), local_name!(""))
}

impl Tree {
    /// Parses `html` as the children of a `<div>`, as `innerHTML` does in a page with scripting on.
    pub(super) fn fragment(html: &str) -> Tree {
        let tree = Tree::empty(false);
        let context = QualName::new(None, ns!(html), local_name!("div"));
        html5ever::parse_fragment(tree, html5ever::ParseOpts::default(), context, Vec::new(), true)
            .one(StrTendril::from_slice(html))
    }

    /// Parses `html` where a server template puts it: right after a page's `<body>`.
    pub(super) fn page(html: &str) -> Tree {
        let tree = Tree::empty(true);
        html5ever::parse_document(tree, html5ever::ParseOpts::default())
            .one(StrTendril::from_slice(&(PAGE.to_owned() + html)))
    }

    /// Parses `html` where this tree's markup was parsed.
    pub(super) fn reparse(&self, html: &str) -> Tree {
        if self.page {
            Tree::page(html)
        } else {
            Tree::fragment(html)
        }
    }

    fn empty(page: bool) -> Tree {
        let tree = Tree { nodes: RefCell::new(Vec::new()), page };
        tree.add(Data::Document);
        tree
    }

    fn add(&self, data: Data) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node { parent: None, children: Vec::new(), data });
        nodes.len() - 1
    }

    fn handle(&self, id: usize) -> Rc<Handle> {
        let name = match &self.nodes.borrow()[id].data {
            Data::Element { name, .. } => name.clone(),
            _ => nameless(),
        };
        Rc::new(Handle { id, name })
    }

    /// The element the markup's nodes hang under: the `<html>` the fragment parser makes, or the
    /// page's `<body>`.
    fn content_root(&self) -> Option<usize> {
        let html = self.child_elements(0).first().copied()?;
        if !self.page {
            return Some(html);
        }
        self.child_elements(html).into_iter().find(|&id| self.element(id, 0).is_some_and(|e| e.is_html("body")))
    }

    fn child_elements(&self, id: usize) -> Vec<usize> {
        let nodes = self.nodes.borrow();
        nodes[id].children.iter().copied().filter(|&c| matches!(nodes[c].data, Data::Element { .. })).collect()
    }

    /// Every element of the markup, in document order, with its depth below the content root.
    pub(super) fn elements(&self) -> Vec<Element> {
        let Some(root) = self.content_root() else { return Vec::new() };
        self.walk(self.children(root), 1, None)
    }

    /// In a page, the elements that are not the markup's own: the page's `<html>`, `<head>` and
    /// what is in it, and `<body>`. Markup can only reach them by changing them.
    pub(super) fn page_elements(&self) -> Vec<Element> {
        if !self.page {
            return Vec::new();
        }
        self.walk(self.child_elements(0), 0, self.content_root())
    }

    /// The elements from `start` down, `depth` for the first level, not descending below `stop`.
    fn walk(&self, start: Vec<usize>, depth: usize, stop: Option<usize>) -> Vec<Element> {
        let mut found = Vec::new();
        // Iterative, so that a hostile depth cannot overflow the test's stack.
        let mut stack: Vec<(usize, usize)> = start.into_iter().rev().map(|id| (id, depth)).collect();
        while let Some((id, depth)) = stack.pop() {
            let Some(element) = self.element(id, depth) else { continue };
            found.push(element);
            if Some(id) != stop {
                stack.extend(self.children(id).into_iter().rev().map(|child| (child, depth + 1)));
            }
        }
        found
    }

    fn element(&self, id: usize, depth: usize) -> Option<Element> {
        let nodes = self.nodes.borrow();
        let Data::Element { name, attributes, .. } = &nodes[id].data else { return None };
        let namespace = match name.ns {
            ns!(html) => Namespace::Html,
            ns!(svg) => Namespace::Svg,
            ns!(mathml) => Namespace::MathMl,
            _ => Namespace::Other,
        };
        let attributes = attributes
            .iter()
            .map(|a| {
                let name = match &a.name.prefix {
                    Some(prefix) => format!("{prefix}:{}", a.name.local),
                    None => a.name.local.to_string(),
                };
                (name, a.value.to_string())
            })
            .collect();
        Some(Element { namespace, name: name.local.to_string(), attributes, depth })
    }

    /// The children a walk visits: a template's contents stand in for its (empty) children.
    fn children(&self, id: usize) -> Vec<usize> {
        let nodes = self.nodes.borrow();
        match &nodes[id].data {
            Data::Element { template: Some(contents), .. } => nodes[*contents].children.clone(),
            _ => nodes[id].children.clone(),
        }
    }

    /// The markup written back out as a browser's `innerHTML` getter writes it.
    pub(super) fn serialize(&self) -> String {
        let Some(root) = self.content_root() else { return String::new() };
        let mut out = Vec::new();
        let opts = SerializeOpts {
            traversal_scope: TraversalScope::ChildrenOnly(Some(QualName::new(None, ns!(html), local_name!("div")))),
            ..SerializeOpts::default()
        };
        html5ever::serialize(&mut out, &Subtree { tree: self, id: root }, opts).expect("writing to memory cannot fail");
        String::from_utf8_lossy(&out).into_owned()
    }

    fn detach(&self, id: usize) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(parent) = nodes[id].parent.take() {
            nodes[parent].children.retain(|&child| child != id);
        }
    }

    /// Inserts `child` into `parent` at `index`, merging text into a text node just before it.
    fn insert(&self, parent: usize, index: usize, child: NodeOrText<Rc<Handle>>) {
        let id = match child {
            NodeOrText::AppendText(text) => {
                let mut nodes = self.nodes.borrow_mut();
                let before = index.checked_sub(1).map(|i| nodes[parent].children[i]);
                if let Some(Data::Text(existing)) = before.map(|b| &mut nodes[b].data) {
                    existing.push_str(&text);
                    return;
                }
                drop(nodes);
                self.add(Data::Text(text.to_string()))
            }
            NodeOrText::AppendNode(node) => {
                self.detach(node.id);
                node.id
            }
        };
        let mut nodes = self.nodes.borrow_mut();
        nodes[id].parent = Some(parent);
        let index = index.min(nodes[parent].children.len());
        nodes[parent].children.insert(index, id);
    }
}

impl TreeSink for Tree {
    type Handle = Rc<Handle>;
    type Output = Self;
    type ElemName<'a> = &'a QualName;

    fn finish(self) -> Self {
        self
    }

    fn parse_error(&self, _msg: std::borrow::Cow<'static, str>) {}

    fn get_document(&self) -> Rc<Handle> {
        self.handle(0)
    }

    fn elem_name<'a>(&'a self, target: &'a Rc<Handle>) -> &'a QualName {
        &target.name
    }

    fn create_element(&self, name: QualName, attributes: Vec<Attribute>, flags: ElementFlags) -> Rc<Handle> {
        let template = flags.template.then(|| self.add(Data::Document));
        let integration_point = flags.mathml_annotation_xml_integration_point;
        let id = self.add(Data::Element { name, attributes, template, integration_point });
        self.handle(id)
    }

    fn create_comment(&self, text: StrTendril) -> Rc<Handle> {
        let id = self.add(Data::Comment(text.to_string()));
        self.handle(id)
    }

    fn create_pi(&self, _target: StrTendril, data: StrTendril) -> Rc<Handle> {
        let id = self.add(Data::Comment(data.to_string()));
        self.handle(id)
    }

    fn append(&self, parent: &Rc<Handle>, child: NodeOrText<Rc<Handle>>) {
        let end = self.nodes.borrow()[parent.id].children.len();
        self.insert(parent.id, end, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &Rc<Handle>,
        prev_element: &Rc<Handle>,
        child: NodeOrText<Rc<Handle>>,
    ) {
        if self.nodes.borrow()[element.id].parent.is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _name: StrTendril, _public_id: StrTendril, _system_id: StrTendril) {}

    fn get_template_contents(&self, target: &Rc<Handle>) -> Rc<Handle> {
        let contents = match &self.nodes.borrow()[target.id].data {
            Data::Element { template: Some(contents), .. } => *contents,
            _ => target.id,
        };
        self.handle(contents)
    }

    fn same_node(&self, x: &Rc<Handle>, y: &Rc<Handle>) -> bool {
        x.id == y.id
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Rc<Handle>, new_node: NodeOrText<Rc<Handle>>) {
        let place = {
            let nodes = self.nodes.borrow();
            nodes[sibling.id].parent.and_then(|parent| {
                nodes[parent].children.iter().position(|&c| c == sibling.id).map(|index| (parent, index))
            })
        };
        if let Some((parent, index)) = place {
            self.insert(parent, index, new_node);
        }
    }

    fn add_attrs_if_missing(&self, target: &Rc<Handle>, extra: Vec<Attribute>) {
        if let Data::Element { attributes, .. } = &mut self.nodes.borrow_mut()[target.id].data {
            for attribute in extra {
                if !attributes.iter().any(|a| a.name == attribute.name) {
                    attributes.push(attribute);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &Rc<Handle>) {
        self.detach(target.id);
    }

    fn reparent_children(&self, node: &Rc<Handle>, new_parent: &Rc<Handle>) {
        let mut nodes = self.nodes.borrow_mut();
        let moved = std::mem::take(&mut nodes[node.id].children);
        for &child in &moved {
            nodes[child].parent = Some(new_parent.id);
        }
        nodes[new_parent.id].children.extend(moved);
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &Rc<Handle>) -> bool {
        matches!(self.nodes.borrow()[handle.id].data, Data::Element { integration_point: true, .. })
    }
}

/// A node and what is under it, for html5ever's serializer.
struct Subtree<'a> {
    tree: &'a Tree,
    id: usize,
}

impl Serialize for Subtree<'_> {
    fn serialize<S: Serializer>(&self, serializer: &mut S, scope: TraversalScope) -> std::io::Result<()> {
        enum Step {
            Open(usize),
            Close(QualName),
        }
        let mut steps: Vec<Step> = match scope {
            TraversalScope::IncludeNode => vec![Step::Open(self.id)],
            TraversalScope::ChildrenOnly(_) => self.tree.children(self.id).into_iter().rev().map(Step::Open).collect(),
        };
        while let Some(step) = steps.pop() {
            let id = match step {
                Step::Close(name) => {
                    serializer.end_elem(name)?;
                    continue;
                }
                Step::Open(id) => id,
            };
            let element = match &self.tree.nodes.borrow()[id].data {
                Data::Element { name, attributes, .. } => Some((name.clone(), attributes.clone())),
                Data::Text(text) => {
                    serializer.write_text(text)?;
                    None
                }
                Data::Comment(text) => {
                    serializer.write_comment(text)?;
                    None
                }
                Data::Document => None,
            };
            if let Some((name, attributes)) = element {
                serializer.start_elem(name.clone(), attributes.iter().map(|a| (&a.name, a.value.as_ref())))?;
                steps.push(Step::Close(name));
                steps.extend(self.tree.children(id).into_iter().rev().map(Step::Open));
            }
        }
        Ok(())
    }
}
