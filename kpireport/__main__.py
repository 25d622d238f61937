from kpireport.cli import main

main()
