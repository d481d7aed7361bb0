r"""Where data is computed: one function over a block of NumPy rows, run in memory or on Dask.

* :mod:`lnsym.execute.dask` — whether a value is a Dask array (never importing Dask for NumPy);
* :mod:`lnsym.execute.rows` — a rows function run on one block (memory) or block by block
  (:func:`dask.array.blockwise`), the same function either way;
* :mod:`lnsym.execute.kernel_blocks` — a generated kernel called on Dask arrays, one task per
  block running the kernel's source (and the compile cache every kernel uses);
* :mod:`lnsym.execute.engine` — where Dask work runs (local threads, a LocalCluster, a scheduler);
* :mod:`lnsym.execute.stores` — caches on disk read lazily; results written block by block, with
  resume.

This layer knows nothing of formulas or proofs: operations (:mod:`lnsym.interp`) give it their
rows function, kernels (:mod:`lnsym.kernels`) their generated code.
"""
