from xlpack.cli import main

main()
