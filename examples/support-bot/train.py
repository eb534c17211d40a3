from datasets import load_dataset

conversations = load_dataset("Open-Orca/OpenOrca", split="train[:1%]")
local = load_dataset("json", data_files="./data/tickets.jsonl")  # a local file: not a Hub reference
