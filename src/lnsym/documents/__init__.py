"""Documents from checked results: LaTeX and Markdown proofs (:mod:`lnsym.documents.tex`), the
kernel appendix (:mod:`lnsym.documents.kernel_appendix`) and the figures
(:mod:`lnsym.documents.figures`)."""
