"""The DAZZLE compiler: lexer, parser, project loader, linker, IR, rules and
diagnostics.

    from dazzle.core import ir
    from dazzle.core.compiler import compile_path, compile_source
"""
