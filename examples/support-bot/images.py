from diffusers import StableDiffusionPipeline

illustrator = StableDiffusionPipeline.from_pretrained("stabilityai/stable-diffusion-2-1")
