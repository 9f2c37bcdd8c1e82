"""数据共享与“谁用了我的证照/数据” (issue 11 items 7 and 8): the catalogue of shared data items
that departments provide, the providers that answer them, and the append-only, SM3-chained log
of every use of a person's or an enterprise's licence or shared data, which the holder reads in
我的空间 (docs/sharing.md)."""
