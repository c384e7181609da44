// Anchor translation unit for the wal_sim library; the simulator core is in its headers and
// sibling .cc files.
