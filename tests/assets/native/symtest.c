/* A tiny Windows console program built on Linux (clang + lld-link) so symbol tests have a real PE and PDB.
   Each function is kept out of line so its RVA range is distinct in the PDB. */
__declspec(noinline) int leaf_function(int x) { return x * 3 + 1; }

__declspec(noinline) int middle_function(int x) { return leaf_function(x) + leaf_function(x + 1); }

__declspec(noinline) int outer_function(int x) { return middle_function(x) * 2 + leaf_function(x - 1); }

int entry_point(void) { return outer_function(7); }
