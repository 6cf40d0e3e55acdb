//! Black-box tests of articles_workflow.
