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

# Every connection (settings.DATABASES), measured on the follow-up write path at city scale
# (bench: quarantine): reads of pages go through a memory map instead of a system call each
# (the page cache of the operating system, shared by a server's connections, not copied
# into each), and the log is copied back every 16 MB instead of every 4 MB, so that the pages
# every write touches (the ends of the tables and of the time indexes) are copied once per
# checkpoint instead of several times. Together a quarter more follow-ups a second.
CONNECTION_MMAP_BYTES = 1 << 30
CONNECTION_CACHE_KIB = IMPORT_CACHE_KIB
CONNECTION_CHECKPOINT_PAGES = 4_000
