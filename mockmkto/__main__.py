from mockmkto.cli import main

raise SystemExit(main())
