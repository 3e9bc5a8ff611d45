from xlpack.cli.app import main

main()
