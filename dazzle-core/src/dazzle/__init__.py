"""DAZZLE: a compiler for an application-description DSL, with pluggable backends."""

__version__ = "0.1.0"
