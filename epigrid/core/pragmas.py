"""SQLite settings that a long write changes for its own length, kept here without any Django
import so that the benchmarks' raw floors can apply exactly the same."""

# Page cache of a connection while it imports (KiB; SQLite's default is 2,000). A register's
# rows land all over the person indexes (document number, name, phone): with the default
# cache, pages are written out and read back several times within one batch.
IMPORT_CACHE_KIB = 16_000

# Write-ahead log pages between checkpoints while importing (SQLite's default is 1,000, about
# 4 MB: every batch of an import). Each checkpoint waits for the disk twice; with the log
# copied every 80 MB or so instead, an import waits a few times rather than after every
# batch, and pages a batch rewrote are copied once.
IMPORT_CHECKPOINT_PAGES = 20_000
