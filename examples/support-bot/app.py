"""Answer support tickets: a small model drafts, a larger one reviews."""

from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

DRAFT_MODEL = "microsoft/phi-2"
REVIEW_MODEL = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"

drafter = pipeline("text-generation", model=DRAFT_MODEL)
reviewer_tokenizer = AutoTokenizer.from_pretrained(REVIEW_MODEL)
reviewer = AutoModelForCausalLM.from_pretrained(REVIEW_MODEL)

# Tried and dropped: AutoModelForCausalLM.from_pretrained("meta-llama/Llama-2-70b-chat-hf")
multilingual = AutoModelForCausalLM.from_pretrained("mlabonne/gemma-7b-dare")


def answer(ticket: str) -> str:
    draft = drafter(ticket)[0]["generated_text"]
    return draft
